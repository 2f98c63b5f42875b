// Classic libpcap savefiles (https://www.tcpdump.org/manpages/pcap-savefile.5.html): the 24-byte
// file header (magic a1b2c3d4 µs / a1b23c4d ns in either byte order, version 2.4) and 16-byte
// record headers. Validation follows libpcap sf-pcap.c: versions other than 2.0-2.4 and link-type
// reserved bits (0x03ff0000) are rejected; caplen > 262144 (MAXIMUM_SNAPLEN) is fatal because the
// stream cannot be resynchronised. Never allocates; faults become ERR_* values.
import * as abi from "../abi";
import { clearPkt, setPktTime } from "../packet";
import { analyzeHasRoom } from "../analyze";
import { rBuf, rLen, rPos, rBase, setPos, fail, nextRecordIndex, setHeaderDone, rHeaderDone } from "./state";
import { rd32, setSwapOrder } from "./bytes";
import { noteInterface } from "./link";
import { emitFrame } from "./packet-out";

/** libpcap MAXIMUM_SNAPLEN: the largest caplen a savefile record may declare. */
export const PCAP_MAX_CAPLEN: u32 = 262144;
const FILE_HEADER: usize = 24;
const RECORD_HEADER: usize = 16;

let nanos = false;
let swapped = false;
let linktype: u32 = 0;

/** Size of the pcap file header (24 bytes). */
export function pcapHeaderLen(): usize { return FILE_HEADER; }

/** Reads the file header at region offset 0 (called once 24 bytes are there). False on error. */
function readHeader(): bool {
  const p = rBuf;
  const m = load<u32>(p);
  swapped = m == 0xd4c3b2a1 || m == 0x4d3cb2a1;
  nanos = m == 0xa1b23c4d || m == 0x4d3cb2a1;
  setSwapOrder(swapped);
  const major = load<u16>(p, 4);
  const minor = load<u16>(p, 6);
  const maj = swapped ? bswap<u16>(major) : major;
  const min = swapped ? bswap<u16>(minor) : minor;
  // libpcap: major < 2 "archaic"; anything but 2.0-2.4 "unsupported pcap savefile version".
  if (maj != 2 || min > 4) { fail(abi.ERR_BAD_FILE_HEADER, 0); return false; }
  const ltField = rd32(p + 20);
  // libpcap LT_RESERVED1: bits 16-25 must be zero; bits 26-31 (FCS length) are allowed.
  if ((ltField & 0x03ff0000) != 0) { fail(abi.ERR_BAD_FILE_HEADER, 0); return false; }
  linktype = ltField & 0xffff;
  noteInterface(linktype, rBase);
  setHeaderDone(true);
  setPos(FILE_HEADER);
  return true;
}

/**
 * Walks pcap records from rPos. Returns STATUS_NEED_INPUT (rPos at the first incomplete record),
 * STATUS_OUTPUT_FULL (rPos at the record analyze had no room for) or STATUS_ERROR. pktTsUs is
 * sec * 1e6 + µs (ns floored to µs); seconds are unsigned (files past 2038 stay positive).
 */
export function walkPcap(): i32 {
  if (!rHeaderDone) {
    if (rLen < FILE_HEADER) return abi.STATUS_NEED_INPUT;
    if (!readHeader()) return abi.STATUS_ERROR;
  }
  setSwapOrder(swapped);
  const base = rBuf;
  const end = rLen;
  const lt = linktype;
  let pos = rPos;
  while (pos + RECORD_HEADER <= end) {
    const h = base + pos;
    const cap = rd32(h + 8);
    if (cap > PCAP_MAX_CAPLEN) { setPos(pos); fail(abi.ERR_BAD_RECORD_HEADER, pos); return abi.STATUS_ERROR; }
    if (pos + RECORD_HEADER + <usize>cap > end) break;
    if (!analyzeHasRoom()) { setPos(pos); return abi.STATUS_OUTPUT_FULL; }
    const sec = <i64>rd32(h);
    const frac = <i64>rd32(h + 4);
    const wire = rd32(h + 12);
    clearPkt();
    setPktTime(sec * 1000000 + (nanos ? frac / 1000 : frac), wire, cap, nextRecordIndex(), rBase + <f64>pos);
    emitFrame(lt, h + RECORD_HEADER, cap, wire);
    pos += RECORD_HEADER + <usize>cap;
  }
  setPos(pos);
  return abi.STATUS_NEED_INPUT;
}
