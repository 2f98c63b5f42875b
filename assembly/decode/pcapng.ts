// pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html, "pcapng spec"): block
// framing, sections (SHB, either byte order, several per file, each resets the interface list),
// interfaces (IDB with if_tsresol / if_tsoffset), packets (EPB, SPB, obsolete OPB); every other
// block is skipped and counted. Option and version checks follow libpcap sf-pcapng.c so the same
// files are rejected. The interface table grows only when a section declares more interfaces.
import * as abi from "../abi";
import { cInc } from "../counters";
import { clearPkt, setPktTime } from "../packet";
import { analyzeHasRoom } from "../analyze";
import { rBuf, rLen, rPos, rBase, setPos, fail, failAt, nextRecordIndex, setHeaderDone, rHeaderDone } from "./state";
import { rd16, rd32, rd64, setSwapOrder } from "./bytes";
import { noteInterface, linkInterfaceCount } from "./link";
import { emitFrame } from "./packet-out";

const BT_SHB: u32 = 0x0a0d0d0a;
const BT_IDB: u32 = 1;
const BT_OPB: u32 = 2;
const BT_SPB: u32 = 3;
const BT_EPB: u32 = 6;
/** libpcap BT_SHB_INSANE_MAX: a Section Header Block longer than 1 MiB is rejected. */
const SHB_MAX: u32 = 1024 * 1024;
/** Largest block processed in the region; equals reader.ts CARRY_RESERVE. Larger non-packet
 *  blocks are skipped in streaming mode, larger packet blocks and IDBs are fatal. */
const BLOCK_MAX: u32 = 262144 + 65536;

// Interface table entry (IF_STRIDE bytes): lt u32, snaplen u32, binary u32 (1: 2^-n units),
// shift u32 (n for binary), mul u64, div u64 (decimal units → µs = ts * mul / div), offset i64 (µs).
const IF_STRIDE: usize = 40;
let ifTable: usize = 0;
let ifCap: u32 = 0;
let ifCount: u32 = 0;
let swapped = false;
let sections: u32 = 0;
let lastTsUs: i64 = 0;
let skipLeft: f64 = 0;
let skipStart: f64 = 0;

/** Clears sections, interfaces and the skip state (keeps the table memory). */
export function pcapngReset(): void {
  ifCount = 0;
  swapped = false;
  sections = 0;
  lastTsUs = 0;
  skipLeft = 0;
  skipStart = 0;
}

/**
 * At finish() with `left` bytes unwalked at rPos: returns abi.ERR_* to report (ERR_NONE when the
 * stream ended cleanly) and sets `pcapngPartialCounts` when the partial block is a packet block.
 * A stream ending inside a skipped block is truncated at that block; a clean stream without any
 * IDB is ERR_NO_INTERFACE (libpcap: "capture file has no IDBs") at the end of the stream.
 */
export let pcapngPartialCounts = false;
export function pcapngFinish(left: usize): i32 {
  pcapngPartialCounts = false;
  if (skipLeft > 0) { failAt(abi.ERR_TRUNCATED, skipStart); return abi.ERR_TRUNCATED; }
  if (left > 0) {
    if (left >= 8) {
      setSwapOrder(swapped);
      const t = rd32(rBuf + rPos);
      pcapngPartialCounts = t == BT_EPB || t == BT_SPB || t == BT_OPB;
    }
    fail(abi.ERR_TRUNCATED, rPos);
    return abi.ERR_TRUNCATED;
  }
  if (linkInterfaceCount() == 0) { fail(abi.ERR_NO_INTERFACE, rLen); return abi.ERR_NO_INTERFACE; }
  return abi.ERR_NONE;
}

/** Section Header Block at region offset `pos` (at least 16 bytes present). Returns the block
 *  length to advance, 0 to wait for more input, or -1 on a fatal error. pcapng spec 4.1; libpcap
 *  accepts versions 1.0 and 1.2 only, and lengths 28 .. 1 MiB, multiple of 4. */
function sectionHeader(pos: usize, end: usize): i64 {
  const p = rBuf + pos;
  const bom = load<u32>(p, 8);
  if (bom == 0x1a2b3c4d) swapped = false;
  else if (bom == 0x4d3c2b1a) swapped = true;
  else { fail(sections == 0 ? abi.ERR_NOT_A_CAPTURE : abi.ERR_BAD_FILE_HEADER, pos); return -1; }
  setSwapOrder(swapped);
  const tlen = rd32(p + 4);
  if (tlen < 28 || (tlen & 3) != 0 || tlen > SHB_MAX) { fail(abi.ERR_BAD_FILE_HEADER, pos); return -1; }
  const major = rd16(p + 12);
  const minor = rd16(p + 14);
  if (!(major == 1 && (minor == 0 || minor == 2))) { fail(abi.ERR_BAD_FILE_HEADER, pos); return -1; }
  if (tlen > BLOCK_MAX) {
    // Options we do not read: take the section, skip the rest of the block.
    newSection();
    skipStart = rBase + <f64>pos;
    return <i64>tlen;
  }
  if (pos + <usize>tlen > end) return 0;
  if (rd32(p + tlen - 4) != tlen) { fail(abi.ERR_BAD_FILE_HEADER, pos); return -1; }
  newSection();
  return <i64>tlen;
}

function newSection(): void {
  ifCount = 0;
  sections++;
  cInc(abi.C_SECTIONS);
  setHeaderDone(true);
}

/** Interface Description Block (pcapng spec 4.2) at `p` of length `tlen`. Option checks as libpcap
 *  process_idb_options(): if_tsresol length 1, once, 10^-n with n <= 19 or 2^-n with n <= 63;
 *  if_tsoffset length 8, once; opt_endofopt length 0; an option overrunning the block is an error.
 *  Errors are ERR_BAD_FILE_HEADER at the block. Returns false on error. */
function interfaceBlock(pos: usize, tlen: u32): bool {
  const p = rBuf + pos;
  if (tlen < 20) { fail(abi.ERR_BAD_RECORD_HEADER, pos); return false; }
  const lt = rd16(p + 8);
  const snap = rd32(p + 12);
  let binary: u32 = 0;
  let shift: u32 = 0;
  let mul: u64 = 1;
  let div: u64 = 1;
  let offsetS: i64 = 0;
  let sawRes = false;
  let sawOff = false;
  let o = p + 16;
  const oend = p + <usize>tlen - 4;
  while (o + 4 <= oend) {
    const code = rd16(o);
    const olen = rd16(o + 2);
    const padded = <usize>((olen + 3) & ~3);
    if (o + 4 + padded > oend) { fail(abi.ERR_BAD_FILE_HEADER, pos); return false; }
    if (code == 0) {
      if (olen != 0) { fail(abi.ERR_BAD_FILE_HEADER, pos); return false; }
      break;
    } else if (code == 9) {
      if (olen != 1 || sawRes) { fail(abi.ERR_BAD_FILE_HEADER, pos); return false; }
      sawRes = true;
      const v = <u32>load<u8>(o + 4);
      if (v & 0x80) {
        shift = v & 0x7f;
        if (shift > 63) { fail(abi.ERR_BAD_FILE_HEADER, pos); return false; }
        binary = 1;
      } else {
        if (v > 19) { fail(abi.ERR_BAD_FILE_HEADER, pos); return false; }
        binary = 0;
        mul = 1;
        div = 1;
        if (v < 6) { for (let i: u32 = v; i < 6; i++) mul *= 10; }
        else { for (let i: u32 = 6; i < v; i++) div *= 10; }
      }
    } else if (code == 14) {
      if (olen != 8 || sawOff) { fail(abi.ERR_BAD_FILE_HEADER, pos); return false; }
      sawOff = true;
      offsetS = <i64>rd64(o + 4);
    }
    o += 4 + padded;
  }
  if (ifCount >= ifCap) {
    const ncap = ifCap == 0 ? 16 : ifCap * 2;
    const nt = heap.alloc(<usize>ncap * IF_STRIDE);
    if (ifTable != 0) {
      memory.copy(nt, ifTable, <usize>ifCount * IF_STRIDE);
      heap.free(ifTable);
    }
    ifTable = nt;
    ifCap = ncap;
  }
  const e = ifTable + <usize>ifCount * IF_STRIDE;
  store<u32>(e, lt);
  store<u32>(e, snap, 4);
  store<u32>(e, binary, 8);
  store<u32>(e, shift, 12);
  store<u64>(e, mul, 16);
  store<u64>(e, div, 24);
  store<i64>(e, offsetS * 1000000, 32);
  ifCount++;
  noteInterface(lt, rBase + <f64>pos);
  return true;
}

/** Interface timestamp (units of the IDB's if_tsresol, default 10^-6) → µs, floored, + if_tsoffset. */
@inline function toUs(e: usize, ts: u64): i64 {
  let us: i64;
  if (load<u32>(e, 8) == 0) {
    const div = load<u64>(e, 24);
    us = div == 1 ? <i64>(ts * load<u64>(e, 16)) : <i64>(ts / div);
  } else {
    const n = <u64>load<u32>(e, 12);
    const mask: u64 = n == 0 ? 0 : (<u64>-1) >> (64 - n);
    us = <i64>(ts >> n) * 1000000 + <i64>Math.floor(<f64>(ts & mask) * 1e6 / Math.pow(2, <f64>n));
  }
  return us + load<i64>(e, 32);
}

/**
 * Walks pcapng blocks from rPos. Returns STATUS_NEED_INPUT, STATUS_OUTPUT_FULL (rPos at the packet
 * block analyze had no room for) or STATUS_ERROR. Block total length < 12, not a multiple of 4, or
 * a trailing copy that differs: ERR_BAD_RECORD_HEADER at the block (no resync is possible).
 */
export function walkPcapng(): i32 {
  setSwapOrder(swapped);
  const end = rLen;
  let pos = rPos;
  for (;;) {
    if (skipLeft > 0) {
      const avail = <f64>(end - pos);
      if (avail < skipLeft) { skipLeft -= avail; pos = end; break; }
      pos += <usize>skipLeft;
      skipLeft = 0;
      continue;
    }
    if (pos + 12 > end) break;
    const p = rBuf + pos;
    if (load<u32>(p) == BT_SHB) {
      if (pos + 16 > end) break;
      const r = sectionHeader(pos, end);
      if (r < 0) { setPos(pos); return abi.STATUS_ERROR; }
      if (r == 0) break;
      if (<u32>r > BLOCK_MAX) { skipLeft = <f64>r; continue; }
      pos += <usize>r;
      continue;
    }
    if (!rHeaderDone) { fail(abi.ERR_NOT_A_CAPTURE, pos); setPos(pos); return abi.STATUS_ERROR; }
    const type = rd32(p);
    const tlen = rd32(p + 4);
    if (tlen < 12 || (tlen & 3) != 0) { fail(abi.ERR_BAD_RECORD_HEADER, pos); setPos(pos); return abi.STATUS_ERROR; }
    const isPacket = type == BT_EPB || type == BT_SPB || type == BT_OPB;
    if (tlen > BLOCK_MAX) {
      if (isPacket || type == BT_IDB) { fail(abi.ERR_BAD_RECORD_HEADER, pos); setPos(pos); return abi.STATUS_ERROR; }
      cInc(abi.C_BLOCKS_SKIPPED);
      skipStart = rBase + <f64>pos;
      skipLeft = <f64>tlen;
      continue;
    }
    if (pos + <usize>tlen > end) break;
    if (rd32(p + tlen - 4) != tlen) { fail(abi.ERR_BAD_RECORD_HEADER, pos); setPos(pos); return abi.STATUS_ERROR; }
    if (isPacket) {
      if (!analyzeHasRoom()) { setPos(pos); return abi.STATUS_OUTPUT_FULL; }
      if (!packetBlock(type, pos, tlen)) { setPos(pos); return abi.STATUS_ERROR; }
    } else if (type == BT_IDB) {
      if (!interfaceBlock(pos, tlen)) { setPos(pos); return abi.STATUS_ERROR; }
    } else {
      cInc(abi.C_BLOCKS_SKIPPED);
    }
    pos += <usize>tlen;
  }
  setPos(pos);
  return abi.STATUS_NEED_INPUT;
}

/** EPB (pcapng spec 4.3), SPB (4.4: interface 0, no timestamp → the previous packet's, captured
 *  length min(original, block body, snaplen)) and OPB (obsolete, appendix: u16 interface id).
 *  Unknown interface → ERR_NO_INTERFACE; captured length beyond the block → ERR_BAD_RECORD_HEADER. */
function packetBlock(type: u32, pos: usize, tlen: u32): bool {
  const p = rBuf + pos;
  let ifid: u32;
  let cap: u32;
  let wire: u32;
  let data: usize;
  let ts: i64;
  if (type == BT_SPB) {
    if (tlen < 16) { fail(abi.ERR_BAD_RECORD_HEADER, pos); return false; }
    if (ifCount == 0) { fail(abi.ERR_NO_INTERFACE, pos); return false; }
    ifid = 0;
    wire = rd32(p + 8);
    cap = tlen - 16;
    if (wire < cap) cap = wire;
    const snap = load<u32>(ifTable, 4);
    if (snap != 0 && snap < cap) cap = snap;
    data = p + 12;
    ts = lastTsUs;
  } else {
    if (tlen < 32) { fail(abi.ERR_BAD_RECORD_HEADER, pos); return false; }
    ifid = type == BT_EPB ? rd32(p + 8) : rd16(p + 8);
    if (ifid >= ifCount) { fail(abi.ERR_NO_INTERFACE, pos); return false; }
    cap = rd32(p + 20);
    wire = rd32(p + 24);
    if (cap > tlen - 32) { fail(abi.ERR_BAD_RECORD_HEADER, pos); return false; }
    data = p + 28;
    const raw = (<u64>rd32(p + 12) << 32) | <u64>rd32(p + 16);
    ts = toUs(ifTable + <usize>ifid * IF_STRIDE, raw);
    lastTsUs = ts;
  }
  const lt = load<u32>(ifTable + <usize>ifid * IF_STRIDE);
  clearPkt();
  setPktTime(ts, wire, cap, nextRecordIndex(), rBase + <f64>pos);
  emitFrame(lt, data, cap, wire);
  return true;
}
