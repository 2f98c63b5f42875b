// Shared state of the streaming record walker: the input region, the walk position, the running
// stream offset and the fatal error. Plain globals (no classes, no allocation after reset).
// Only decode/ reads or writes these; the export surface is reader.ts.
import * as abi from "../abi";

/** Input region base (heap.alloc at reset), its size and how many bytes it holds. */
export let rBuf: usize = 0;
export let rCap: usize = 0;
export let rLen: usize = 0;
/** Offset in the region of the first byte not yet walked (the start of the next record). */
export let rPos: usize = 0;
/** Stream offset (bytes) of rBuf[0]: every absolute offset is rBase + a region offset. */
export let rBase: f64 = 0;
/** abi.FORMAT_* once known (FORMAT_UNKNOWN until sniffed). */
export let rFormat: i32 = abi.FORMAT_UNKNOWN;
/** Fatal error (abi.ERR_*) and its absolute stream offset; once set, process() returns STATUS_ERROR. */
export let rError: i32 = abi.ERR_NONE;
export let rErrorOffset: f64 = 0;
/** 0-based index of the next packet record (pktRecordIndex). */
export let rRecordIndex: u32 = 0;
/** Bytes still to be skipped of a non-packet block larger than the region (pcapng). */
export let rSkip: f64 = 0;
/** True once the file/section header of the stream has been read (pcap) or the first SHB seen. */
export let rHeaderDone: bool = false;

export function setRegion(buf: usize, cap: usize): void { rBuf = buf; rCap = cap; }
@inline export function setLen(n: usize): void { rLen = n; }
@inline export function setPos(p: usize): void { rPos = p; }
@inline export function setBase(b: f64): void { rBase = b; }
export function setFormat(f: i32): void { rFormat = f; }
@inline export function nextRecordIndex(): u32 { return rRecordIndex++; }
export function setSkip(n: f64): void { rSkip = n; }
export function setHeaderDone(v: bool): void { rHeaderDone = v; }

/** Records a fatal error at region offset `regionOff` (first error wins). */
export function fail(code: i32, regionOff: usize): void {
  if (rError != abi.ERR_NONE) return;
  rError = code;
  rErrorOffset = rBase + <f64>regionOff;
}
/** Records a fatal error at an absolute stream offset. */
export function failAt(code: i32, streamOff: f64): void {
  if (rError != abi.ERR_NONE) return;
  rError = code;
  rErrorOffset = streamOff;
}

/** Clears the walk state (not the region). */
export function stateReset(): void {
  rLen = 0;
  rPos = 0;
  rBase = 0;
  rFormat = abi.FORMAT_UNKNOWN;
  rError = abi.ERR_NONE;
  rErrorOffset = 0;
  rRecordIndex = 0;
  rSkip = 0;
  rHeaderDone = false;
}
