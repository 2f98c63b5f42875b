// The BLACKLIST detector's input: parses address lists (single addresses and CIDR blocks, IPv4 or
// IPv6) and turns them into the sorted, merged, disjoint ranges the core binary-searches
// (abi.BLACKLIST_RANGE_BYTES each: first and last address, 16 bytes each, big-endian as stored in
// packets; IPv4 as IPv4-mapped ::ffff:a.b.c.d, like every address in the core). Addresses are
// parsed with ipaddr.js only. Pure functions; runs in the page, the worker and Node.
import ipaddr from 'ipaddr.js';
import { BLACKLIST_RANGE_BYTES } from '../shared/abi';
import type { EntryError } from '../shared/services';

export type { EntryError };

const V4_MAPPED = 0xffffn << 32n;
const ALL_ONES_128 = (1n << 128n) - 1n;

/** An inclusive range of 128-bit addresses. */
interface Range {
  first: bigint;
  last: bigint;
}

function bytesToBig(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function bigToBytes(v: bigint, out: Uint8Array, at: number): void {
  for (let i = 15; i >= 0; i--) {
    out[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/** The 128-bit value of an address text (IPv4 → IPv4-mapped), or an error message. */
function addressValue(text: string): { value: bigint; v4: boolean } | string {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return { value: V4_MAPPED | bytesToBig(ipaddr.IPv4.parse(text).octets), v4: true };
  }
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) {
    return { value: bytesToBig(ipaddr.IPv6.parse(text).toByteArray()), v4: false };
  }
  if (/^[\d.]+$/.test(text)) return `"${text}" is not an IPv4 address (expected four numbers 0-255 like 10.0.0.1)`;
  return `"${text}" is not an IP address (IPv4 like 10.0.0.1 or IPv6 like 2001:db8::1)`;
}

/**
 * One entry → its inclusive range, or an error message. Forms: an address ("192.0.2.7",
 * "2001:db8::1", "::ffff:192.0.2.7" which equals "192.0.2.7") or a CIDR block ("10.0.0.0/8",
 * "2001:db8::/32", "0.0.0.0/0" = every IPv4 address, "::/0" = every address). Host bits below the
 * prefix are ignored ("10.1.2.3/8" is 10.0.0.0/8), as most firewall syntaxes do.
 */
export function parseBlacklistEntry(entry: string): Range | string {
  const text = entry.trim();
  if (text === '') return 'empty entry';
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash).trim();
  const addr = addressValue(addrText);
  if (typeof addr === 'string') return addr;
  if (slash < 0) return { first: addr.value, last: addr.value };
  const prefixText = text.slice(slash + 1).trim();
  const maxPrefix = addr.v4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > maxPrefix) {
    return `"/${prefixText}" is not a prefix length for ${addr.v4 ? 'IPv4' : 'IPv6'} (0-${maxPrefix})`;
  }
  // IPv4 /n is IPv6 /(96 + n) inside ::ffff:0:0/96.
  const prefix = Number(prefixText) + (addr.v4 ? 96 : 0);
  const hostBits = BigInt(128 - prefix);
  const hostMask = (1n << hostBits) - 1n;
  const first = addr.value & (ALL_ONES_128 ^ hostMask);
  return { first, last: first | hostMask };
}

/**
 * Splits blacklist text into entries: one or more per line separated by commas or whitespace;
 * `#` starts a comment to the end of the line; blank lines are ignored. Every entry is checked
 * (parseBlacklistEntry) and a bad one is reported with its 1-based line number and left out of
 * `entries`.
 */
export function parseBlacklistText(text: string): { entries: string[]; errors: EntryError[] } {
  const entries: string[] = [];
  const errors: EntryError[] = [];
  const lines = text.split(/\r\n|\n|\r/);
  lines.forEach((line, i) => {
    const hash = line.indexOf('#');
    const body = hash < 0 ? line : line.slice(0, hash);
    for (const entry of body.split(/[\s,]+/)) {
      if (entry === '') continue;
      const r = parseBlacklistEntry(entry);
      if (typeof r === 'string') errors.push({ line: i + 1, entry, message: r });
      else entries.push(entry);
    }
  });
  return { entries, errors };
}

/**
 * Entries → the core's range table: n x abi.BLACKLIST_RANGE_BYTES bytes (first address 16 bytes,
 * last address 16 bytes, both big-endian), sorted by first address, with overlapping and adjacent
 * ranges merged (10.0.0.0/25 + 10.0.0.128/25 → one range), so no two ranges touch. `count` is n.
 * Bad entries are reported with their 1-based index in `entries` and left out; empty ones are
 * ignored. O(n log n) in the number of entries.
 */
export function blacklistRanges(entries: readonly string[]): { bytes: Uint8Array; count: number; errors: EntryError[] } {
  const ranges: Range[] = [];
  const errors: EntryError[] = [];
  entries.forEach((entry, i) => {
    if (typeof entry !== 'string') {
      errors.push({ line: i + 1, entry: String(entry), message: 'not a text entry' });
      return;
    }
    if (entry.trim() === '') return;
    const r = parseBlacklistEntry(entry);
    if (typeof r === 'string') errors.push({ line: i + 1, entry, message: r });
    else ranges.push(r);
  });
  ranges.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: Range[] = [];
  for (const r of ranges) {
    const top = merged[merged.length - 1];
    if (top && r.first <= top.last + 1n) {
      if (r.last > top.last) top.last = r.last;
    } else merged.push({ first: r.first, last: r.last });
  }
  const bytes = new Uint8Array(merged.length * BLACKLIST_RANGE_BYTES);
  merged.forEach((r, i) => {
    bigToBytes(r.first, bytes, i * BLACKLIST_RANGE_BYTES);
    bigToBytes(r.last, bytes, i * BLACKLIST_RANGE_BYTES + 16);
  });
  return { bytes, count: merged.length, errors };
}
