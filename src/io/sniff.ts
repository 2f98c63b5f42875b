// Input format detection from the first bytes of a file (after gunzip for the inner format).
// Content only, never the file name: several real ".pcapng" files are classic pcap (see
// shared/data/MANIFEST.md) and a capture renamed ".bin" must still open (speedscope's importer
// sniffs the same way). Pure function, no I/O.
import { isPacketLine } from './packet-lines';

/** What sniffFormat() can tell from content. 'gzip' means "decompress, then sniff again". */
export type SniffedFormat = 'gzip' | 'pcap' | 'pcapng' | 'json' | 'jsonl' | 'csv' | 'lines' | 'unknown';

/** Bytes of the head worth passing to sniffFormat(): enough for a long CSV header line. */
export const SNIFF_BYTES = 64 * 1024;

/**
 * Guesses the format of a stream from its first bytes (pass up to SNIFF_BYTES; fewer is fine).
 * Rules, first match wins:
 * 1. `1f 8b` → 'gzip' (RFC 1952 ID1 ID2).
 * 2. first u32 is `a1b2c3d4` (µs) or `a1b23c4d` (ns), in either byte order → 'pcap'
 *    (libpcap savefile magic; the byte order tells the file's endianness).
 * 3. `0a 0d 0d 0a` → 'pcapng' (Section Header Block type; it reads the same in both orders).
 * 4. Skip an optional UTF-8 BOM (`ef bb bf`) and whitespace (space, tab, CR, LF); then
 *    `[` → 'json' (an array of row objects) and `{` → 'jsonl' (one object per line). A single
 *    pretty-printed object therefore sniffs as 'jsonl' and fails there row by row.
 * 5. The head is text (no NUL or other C0 control bytes except tab, CR, LF) and its first
 *    non-empty line has exactly 8 comma-separated fields, the first a whole number (the
 *    millisecond timestamp, so not a header) → 'lines' (the packet lines of issue #3,
 *    ./packet-lines.ts).
 * 6. The head is text and its first non-empty line contains a comma, semicolon or tab → 'csv'
 *    (a delimited header row).
 * 7. Anything else (including empty input and Zeek's "#separator" TSV logs) → 'unknown'.
 */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  const n = head.length;
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 4) {
    const be = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    const le = ((head[3] << 24) | (head[2] << 16) | (head[1] << 8) | head[0]) >>> 0;
    for (const m of [be, le]) if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) return 'pcap';
    if (be === 0x0a0d0d0a) return 'pcapng';
  }
  let i = 0;
  if (n >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < n && isSpace(head[i])) i++;
  if (i >= n) return 'unknown';
  if (head[i] === 0x5b /* [ */) return 'json';
  if (head[i] === 0x7b /* { */) return 'jsonl';
  for (let j = i; j < n; j++) {
    const c = head[j];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return 'unknown';
    if (c === 0x7f) return 'unknown';
  }
  // First line: from i (already past leading blank lines) to the first CR/LF.
  let end = i;
  let delimited = false;
  for (; end < n; end++) {
    const c = head[end];
    if (c === 0x0a || c === 0x0d) break;
    if (c === 0x2c /* , */ || c === 0x3b /* ; */ || c === 0x09 /* tab */) delimited = true;
  }
  if (!delimited) return 'unknown';
  if (isPacketLine(new TextDecoder('utf-8').decode(head.subarray(i, end)))) return 'lines';
  return 'csv';
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
