// The streaming record walker behind index.ts: owns the input region (one heap block sized
// CFG_CHUNK_BYTES + CARRY_RESERVE), carries the partial tail record across chunks, sniffs the
// format from the first bytes (never a name) and dispatches to pcap.ts / pcapng.ts / records.ts.
// It never allocates per chunk or per packet and never throws on input: faults are ERR_* values.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cSet } from "../counters";
import {
  rBuf, rCap, rLen, rPos, rBase, rFormat, rError, rErrorOffset, rHeaderDone,
  setRegion, setLen, setPos, setBase, setFormat, setHeaderDone, fail, failAt, stateReset,
} from "./state";
import { walkRecords } from "./records";
import { walkPcap } from "./pcap";
import { walkPcapng, pcapngReset, pcapngFinish, pcapngPartialCounts } from "./pcapng";
import { linkReset, linkFinishError } from "./link";

/** Bytes kept free beyond one chunk for the carried partial record: the largest record we accept
 *  is a pcap record of 16 + 262,144 bytes (libpcap MAXIMUM_SNAPLEN) or a pcapng packet block of up
 *  to this size (EPB header, 256 KiB of data, options). Larger non-packet pcapng blocks are
 *  skipped in streaming mode; larger packet blocks are fatal. */
export const CARRY_RESERVE: usize = 262144 + 65536;

/** pcap magic numbers as read little-endian from the first 4 bytes (libpcap sf-pcap.c). */
const PCAP_MAGIC_US: u32 = 0xa1b2c3d4;
const PCAP_MAGIC_NS: u32 = 0xa1b23c4d;
/** pcapng Section Header Block type (pcapng spec 4.1); palindromic, so byte order does not matter. */
const PCAPNG_SHB: u32 = 0x0a0d0d0a;

/** Resets the walker; (re)allocates the region only when CFG_CHUNK_BYTES changed. */
export function readerReset(): void {
  let chunk = <usize>cfg(abi.CFG_CHUNK_BYTES);
  if (chunk < 4096) chunk = 4096;
  const cap = chunk + CARRY_RESERVE;
  if (rBuf == 0 || rCap != cap) {
    if (rBuf != 0) heap.free(rBuf);
    setRegion(heap.alloc(cap), cap);
  }
  stateReset();
  pcapngReset();
  linkReset();
  if (<i32>cfg(abi.CFG_INPUT_FORMAT) == abi.FORMAT_RECORDS) {
    setFormat(abi.FORMAT_RECORDS);
    setHeaderDone(true);
    cSet(abi.C_FORMAT, <f64>abi.FORMAT_RECORDS);
  }
}

/** Where the next input bytes go (after the carried partial record). */
export function readerInputPtr(): usize { return rBuf + rLen; }
/** Free bytes at readerInputPtr(); at least CFG_CHUNK_BYTES after a process() that returned NEED_INPUT. */
export function readerInputRoom(): usize { return rCap - rLen; }
/** Declares `len` bytes written at readerInputPtr() (clamped to the room). */
export function readerCommit(len: usize): void {
  const room = rCap - rLen;
  setLen(rLen + (len < room ? len : room));
}

/** Sniffs the format from the first 4 bytes; false (and ERR_NOT_A_CAPTURE at 0) if unknown. */
function sniff(): bool {
  const m = load<u32>(rBuf);
  if (m == PCAP_MAGIC_US || m == PCAP_MAGIC_NS || bswap(m) == PCAP_MAGIC_US || bswap(m) == PCAP_MAGIC_NS) {
    setFormat(abi.FORMAT_PCAP);
  } else if (m == PCAPNG_SHB) {
    setFormat(abi.FORMAT_PCAPNG);
  } else {
    failAt(abi.ERR_NOT_A_CAPTURE, 0);
    return false;
  }
  cSet(abi.C_FORMAT, <f64>rFormat);
  return true;
}

/** Moves the unwalked tail to the region start and advances the stream offset. */
function compact(): void {
  const pos = rPos;
  if (pos == 0) return;
  const rest = rLen - pos;
  if (rest > 0) memory.copy(rBuf, rBuf + pos, rest);
  setBase(rBase + <f64>pos);
  setLen(rest);
  setPos(0);
}

/**
 * Walks every complete record in the region. Returns abi.STATUS_NEED_INPUT (all complete records
 * done, tail carried), STATUS_OUTPUT_FULL (analyzeHasRoom() said no: call again after draining) or
 * STATUS_ERROR (fatal; errorCode/errorOffset set; sticky).
 */
export function readerProcess(): i32 {
  if (rError != abi.ERR_NONE) return abi.STATUS_ERROR;
  if (rFormat == abi.FORMAT_UNKNOWN) {
    if (rLen < 4) return abi.STATUS_NEED_INPUT;
    if (!sniff()) return abi.STATUS_ERROR;
  }
  let st: i32;
  if (rFormat == abi.FORMAT_RECORDS) st = walkRecords();
  else if (rFormat == abi.FORMAT_PCAP) st = walkPcap();
  else st = walkPcapng();
  cSet(abi.C_BYTES_CONSUMED, rBase + <f64>rPos);
  if (st == abi.STATUS_NEED_INPUT) compact();
  if (rError != abi.ERR_NONE) return abi.STATUS_ERROR;
  return st;
}

/**
 * Ends the stream. A partial record left over counts as one truncated record (C_RECORDS_READ and
 * C_SKIP_TRUNCATED; not for a partial file/section header) and gives ERR_TRUNCATED at its start; an
 * empty stream or a partial file header gives ERR_TRUNCATED too (libpcap: "truncated dump file").
 * With no packet decoded and every interface unsupported: ERR_UNSUPPORTED_LINKTYPE. Else STATUS_DONE.
 * pcapng: a stream ending inside a skipped block is truncated at that block; a stream without any
 * IDB is ERR_NO_INTERFACE (libpcap: "capture file has no IDBs").
 */
export function readerFinish(): i32 {
  if (rError != abi.ERR_NONE) return abi.STATUS_ERROR;
  const st = readerProcess();
  // OUTPUT_FULL only when the caller did not drain before finish(): drain and call finish() again.
  if (st != abi.STATUS_NEED_INPUT) return st;
  if (rFormat == abi.FORMAT_UNKNOWN) {
    // Fewer than 4 bytes: an empty or cut file header.
    failAt(abi.ERR_TRUNCATED, 0);
    return abi.STATUS_ERROR;
  }
  const left = rLen - rPos;
  if (rFormat == abi.FORMAT_PCAPNG && rHeaderDone) {
    if (pcapngFinish(left) != abi.ERR_NONE) {
      if (pcapngPartialCounts) {
        cInc(abi.C_RECORDS_READ);
        cInc(abi.C_SKIP_TRUNCATED);
      }
      cSet(abi.C_BYTES_CONSUMED, rBase + <f64>rLen);
      return abi.STATUS_ERROR;
    }
  } else if (left > 0 || !rHeaderDone) {
    // A cut file header (pcap < 24 bytes, pcapng SHB) is not a record.
    if (rHeaderDone) {
      cInc(abi.C_RECORDS_READ);
      cInc(abi.C_SKIP_TRUNCATED);
    }
    fail(abi.ERR_TRUNCATED, rPos);
    cSet(abi.C_BYTES_CONSUMED, rBase + <f64>rLen);
    return abi.STATUS_ERROR;
  }
  if (linkFinishError()) return abi.STATUS_ERROR;
  return abi.STATUS_DONE;
}

/** abi.ERR_* of the fatal error (or truncation found by finish()); ERR_NONE when none. */
export function readerErrorCode(): i32 { return rError; }
/** Absolute byte offset in the stream of the record or header at fault. */
export function readerErrorOffset(): f64 { return rErrorOffset; }
