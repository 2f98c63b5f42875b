// Connection records (AnalysisResult.conns, protocol.ts ConnColumns) written as a Zeek-style
// conn.log (TSV with Zeek's #separator/#fields/#types header; `flowlens analyze --format conn`)
// or as CSV with the same columns (`--format conn-csv`).
// Never touches WASM memory or the DOM.
//
// Columns as Zeek's conn.log (base/protocols/conn/main.zeek), with what we write:
// - ts: first packet time, seconds with 6 decimals; duration: last minus first packet, seconds;
// - uid: "C" + 17 base-62 digits of a 64-bit FNV-1a hash of (first µs, orig, orig port, resp,
//   resp port, proto, VLAN): stable across runs, not Zeek's random uid;
// - id.orig_h/p, id.resp_h/p: the flow table's roles (orig = the sender of the first captured
//   packet; Zeek flips them when that packet is a SYN+ACK, we do not); ICMP: orig port = the type,
//   resp port = the type's counterpart for request/reply types, else the code (Zeek: type, code);
// - proto: tcp, udp, icmp (also ICMPv6) or unknown_transport; service: - (no protocol detection);
// - orig_bytes / resp_bytes: payload bytes as Zeek counts them for TCP (sequence space, each byte
//   once; mod 2^32) and the transport payload for the others;
// - conn_state: Zeek's states, approximated from the OR of the flags each end sent
//   (assembly/detect/conn.ts); local_orig, local_resp, missed_bytes, history: - (not tracked);
// - orig_pkts / resp_pkts: packets; orig_ip_bytes / resp_ip_bytes: WIRE bytes (the captured
//   frame's original length, link-layer header included; Zeek's are IP bytes);
// - tunnel_parents: - ;
// - community_id: Community ID v1 of the flow (./community-id.ts, the seed given: 0 by default,
//   options.communityIdSeed from the CLI and the page), last, as Zeek's
//   community-id package appends it; "-" when an end is a node name, not an IP address.
import Papa from 'papaparse';
import {
  CONN_STATE_OTH, CONN_STATE_REJ, CONN_STATE_RSTO, CONN_STATE_RSTOS0, CONN_STATE_RSTR, CONN_STATE_RSTRH,
  CONN_STATE_S0, CONN_STATE_S1, CONN_STATE_S2, CONN_STATE_S3, CONN_STATE_SF, CONN_STATE_SH, CONN_STATE_SHR,
} from '../shared/abi';
import type { ConnColumns } from '../shared/protocol';
import { communityId } from './community-id';

/** Zeek conn_state names by abi.CONN_STATE_* value. */
export const CONN_STATE_NAMES: Record<number, string> = {
  [CONN_STATE_OTH]: 'OTH', [CONN_STATE_S0]: 'S0', [CONN_STATE_S1]: 'S1', [CONN_STATE_SF]: 'SF',
  [CONN_STATE_REJ]: 'REJ', [CONN_STATE_S2]: 'S2', [CONN_STATE_S3]: 'S3', [CONN_STATE_RSTO]: 'RSTO',
  [CONN_STATE_RSTR]: 'RSTR', [CONN_STATE_RSTOS0]: 'RSTOS0', [CONN_STATE_RSTRH]: 'RSTRH',
  [CONN_STATE_SH]: 'SH', [CONN_STATE_SHR]: 'SHR',
};

export const CONN_LOG_FIELDS = [
  'ts', 'uid', 'id.orig_h', 'id.orig_p', 'id.resp_h', 'id.resp_p', 'proto', 'service', 'duration',
  'orig_bytes', 'resp_bytes', 'conn_state', 'local_orig', 'local_resp', 'missed_bytes', 'history',
  'orig_pkts', 'orig_ip_bytes', 'resp_pkts', 'resp_ip_bytes', 'tunnel_parents', 'community_id',
] as const;

const CONN_LOG_TYPES = [
  'time', 'string', 'addr', 'port', 'addr', 'port', 'enum', 'string', 'interval', 'count', 'count',
  'string', 'bool', 'bool', 'count', 'string', 'count', 'count', 'count', 'count', 'set[string]', 'string',
];

/** The header lines of a conn.log (without trailing newlines); `openUs` for #open. */
export function connLogHeader(openUs: number): string[] {
  const open = Number.isFinite(openUs) ? new Date(Math.floor(openUs / 1000)).toISOString().replace('T', '-').replace(/:/g, '-').slice(0, 19) : '-';
  return [
    '#separator \\x09',
    '#set_separator\t,',
    '#empty_field\t(empty)',
    '#unset_field\t-',
    '#path\tconn',
    `#open\t${open}`,
    `#fields\t${CONN_LOG_FIELDS.join('\t')}`,
    `#types\t${CONN_LOG_TYPES.join('\t')}`,
  ];
}

const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** The uid of record i (see the header). */
export function connUid(c: ConnColumns, i: number): string {
  let h = 0xcbf29ce484222325n;
  const mix = (s: string) => {
    for (let k = 0; k < s.length; k++) {
      h ^= BigInt(s.charCodeAt(k));
      h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
    }
  };
  mix(`${c.firstUs[i]}|${c.names[c.orig[i]]}|${c.origPort[i]}|${c.names[c.resp[i]]}|${c.respPort[i]}|${c.proto[i]}|${c.vlan[i]}`);
  let out = '';
  for (let k = 0; k < 17; k++) {
    out = B62[Number(h % 62n)] + out;
    h /= 62n;
  }
  return 'C' + out;
}

const protoName = (p: number): string => (p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 1 || p === 58 ? 'icmp' : 'unknown_transport');

/** TSV-safe text (Zeek escapes separators; addresses and names never contain tabs, but CSV node
 *  names might). */
const cell = (s: string): string => (s === '' ? '(empty)' : s.replace(/\t/g, '\\x09').replace(/\n/g, '\\x0a'));

/** Community ID v1 of record i with `seed` (0-65535; ICMP: orig port = type; resp port = the
 *  counterpart type or the code, which the spec's mapping gives back unchanged), or undefined for
 *  node names. */
export function connCommunityId(c: ConnColumns, i: number, seed = 0): string | undefined {
  return communityId({ src: c.names[c.orig[i]], dst: c.names[c.resp[i]], proto: c.proto[i], sport: c.origPort[i], dport: c.respPort[i] }, seed);
}

/** Record i's values in CONN_LOG_FIELDS order, as text; "-" for unset, names as they are. */
export function connLogCells(c: ConnColumns, i: number, seed = 0): string[] {
  return [
    (c.firstUs[i] / 1e6).toFixed(6),
    connUid(c, i),
    c.names[c.orig[i]],
    String(c.origPort[i]),
    c.names[c.resp[i]],
    String(c.respPort[i]),
    protoName(c.proto[i]),
    '-',
    ((c.lastUs[i] - c.firstUs[i]) / 1e6).toFixed(6),
    String(c.payloadOrig[i]),
    String(c.payloadResp[i]),
    CONN_STATE_NAMES[c.state[i]] ?? 'OTH',
    '-',
    '-',
    '-',
    '-',
    String(c.pktsOrig[i]),
    String(c.bytesOrig[i]),
    String(c.pktsResp[i]),
    String(c.bytesResp[i]),
    '-',
    connCommunityId(c, i, seed) ?? '-',
  ];
}

/** Record i as one conn.log line (without the newline). */
export function connLogLine(c: ConnColumns, i: number, seed = 0): string {
  const f = connLogCells(c, i, seed);
  f[2] = cell(f[2]);
  f[4] = cell(f[4]);
  return f.join('\t');
}

/** Record indices in order of first packet time (stable). */
function connOrder(c: ConnColumns): number[] {
  return Array.from({ length: c.count }, (_, i) => i).sort((a, b) => c.firstUs[a] - c.firstUs[b] || a - b);
}

const UNPARSE: Papa.UnparseConfig = { header: false, newline: '\n', escapeFormulae: /^[=+\-@\t\r](?![0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$)/ };

/**
 * The connections as CSV (`--format conn-csv`): a header of CONN_LOG_FIELDS, then one line per
 * record in order of first packet time, the same values as the conn.log (connLogCells) except
 * that unset values ("-") are empty cells; formula-looking names get a leading apostrophe (OWASP
 * "CSV injection"), as in the alert CSV. Each line through `emit`, without the newline.
 */
export function forEachConnCsvLine(c: ConnColumns, emit: (line: string) => void, seed = 0): void {
  emit(Papa.unparse([[...CONN_LOG_FIELDS]], UNPARSE));
  for (const i of connOrder(c)) emit(Papa.unparse([connLogCells(c, i, seed).map((v) => (v === '-' ? '' : v))], UNPARSE));
}

/** The whole conn.log: header, one line per record in order of first packet time (stable), and
 *  Zeek's #close line (#open and #close give the first and the last packet time, not the wall
 *  clock, so the output repeats); each line through `emit`. */
export function forEachConnLogLine(c: ConnColumns, emit: (line: string) => void, seed = 0): void {
  const order = connOrder(c);
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < c.count; i++) {
    first = Math.min(first, c.firstUs[i]);
    last = Math.max(last, c.lastUs[i]);
  }
  for (const l of connLogHeader(first)) emit(l);
  for (const i of order) emit(connLogLine(c, i, seed));
  emit(`#close\t${connLogHeader(last)[5].slice(6)}`);
}
