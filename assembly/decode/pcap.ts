import * as abi from "../abi";
export function walkPcap(): i32 { return abi.STATUS_NEED_INPUT; }
export function pcapHeaderLen(): usize { return 24; }
