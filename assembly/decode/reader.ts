// STUB (to be replaced by the decode owner): the streaming record walker.
import * as abi from "../abi";
export function readerReset(): void {}
export function readerInputPtr(): usize { return 0; }
export function readerInputRoom(): usize { return 0; }
export function readerCommit(len: usize): void {}
export function readerProcess(): i32 { return abi.STATUS_NEED_INPUT; }
export function readerFinish(): i32 { return abi.STATUS_DONE; }
export function readerErrorCode(): i32 { return 0; }
export function readerErrorOffset(): f64 { return 0; }
