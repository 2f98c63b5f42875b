import * as abi from "../abi";
export function walkPcapng(): i32 { return abi.STATUS_NEED_INPUT; }
export function pcapngReset(): void {}
export function pcapngPartialIsHeader(): bool { return false; }
