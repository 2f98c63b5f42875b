// The core's learned window baselines (SPIKE, PROTOSHIFT, LATENCY, LONGCONN) between their binary
// form (abi BLREC_* records: Engine.exportBaselines() / RuleInputs.baselines) and the "core" part
// of a baseline file (JSON with readable keys: addresses as text via ipaddr.js, services as
// "tcp/443", kinds and classes as names). Reading validates every field and names the JSON path of
// the first problem (BaselineFormatError, src/ml/json-check.ts); nothing half-read is returned, so
// a bad file never reaches the core. Pure functions; runs in the worker, the page and Node.
//
// Record kinds (assembly/abi.ts BLREC_* gives units; n, mean, s are copied bit for bit):
//   spike-global      {n, mean, s}                          log2(1 + B/s) per window: EWMA mean, variance
//   spike-population  {n, mean, s}                          mean of the destinations' log2 B/s, its mean square
//   spike-dst         {addr, ageWindows, n, mean, s}        per destination, as spike-global; windows since its last packet
//   proto-class       {class, n, mean, s}                   class "tcp" | "udp" | "icmp" | "icmpv6" | "other"; share %, points²
//   proto-service     {service, n, mean, s}                 "tcp/443" or "udp/53"; share %, points²
//   latency-server    {addr, service, variant, n, mean, s}  "tcp/80"; variant "server" | "client" | "response"; µs, µs²
//   longconn-service  {service, n, mean, s}                 "<proto>/<port>"; Welford mean (s) and M2 (s²) of flow durations
// Services: "tcp", "udp", "icmp", "icmpv6" or the IP protocol number, "/" and the port (ICMP: the
// value the flow key holds). A file learnt with another metric window or span is refused: its
// window baselines would be read in the wrong unit of time.
import ipaddr from 'ipaddr.js';
import * as abi from '../shared/abi';
import type { AnalysisOptions } from '../shared/protocol';
import { BaselineFormatError, arr, keysExactly, num, obj, str } from '../ml/json-check';

/** The "core" part of a baseline file. */
export interface CoreBaselinesJson {
  /** Metric window (s) and EWMA span (windows) the window baselines were learnt with. */
  windowS: number;
  span: number;
  records: CoreBaselineRecord[];
}

export type CoreBaselineKind =
  | 'spike-global'
  | 'spike-population'
  | 'spike-dst'
  | 'proto-class'
  | 'proto-service'
  | 'latency-server'
  | 'longconn-service';

/** One learned baseline (see the header for the fields of each kind). */
export interface CoreBaselineRecord {
  kind: CoreBaselineKind;
  addr?: string;
  service?: string;
  class?: string;
  variant?: string;
  ageWindows?: number;
  /** Samples: windows, latency samples or completed flows. */
  n: number;
  mean: number;
  /** EWMA variance, the population's mean square, or Welford's M2 (see the header). */
  s: number;
}

const KIND_NAMES: Record<number, CoreBaselineKind> = {
  [abi.BLREC_SPIKE_GLOBAL]: 'spike-global',
  [abi.BLREC_SPIKE_POPULATION]: 'spike-population',
  [abi.BLREC_SPIKE_DST]: 'spike-dst',
  [abi.BLREC_PROTO_CLASS]: 'proto-class',
  [abi.BLREC_PROTO_SERVICE]: 'proto-service',
  [abi.BLREC_LATENCY_SERVER]: 'latency-server',
  [abi.BLREC_LONGCONN_SERVICE]: 'longconn-service',
};
const KIND_IDS = new Map<string, number>(Object.entries(KIND_NAMES).map(([id, name]) => [name, Number(id)]));
/** The fields each kind has besides kind, n, mean and s. */
const KIND_KEYS: Record<CoreBaselineKind, readonly string[]> = {
  'spike-global': [],
  'spike-population': [],
  'spike-dst': ['addr', 'ageWindows'],
  'proto-class': ['class'],
  'proto-service': ['service'],
  'latency-server': ['addr', 'service', 'variant'],
  'longconn-service': ['service'],
};
const CLASS_NAMES = ['tcp', 'udp', 'icmp', 'icmpv6', 'other'];
const VARIANT_NAMES = ['server', 'client', 'response']; // abi.LATENCY_SERVER, _CLIENT, _RESPONSE
const PROTO_NAMES: Record<number, string> = { 6: 'tcp', 17: 'udp', 1: 'icmp', 58: 'icmpv6' };
const PROTO_IDS = new Map<string, number>(Object.entries(PROTO_NAMES).map(([id, name]) => [name, Number(id)]));
const U32_MAX = 4294967295;

/** "tcp/443" for IP protocol 6, port 443. */
export function serviceText(proto: number, port: number): string {
  return `${PROTO_NAMES[proto] ?? String(proto)}/${port}`;
}

/** [protocol, port] of a service text, or null. */
function parseService(text: string): [number, number] | null {
  const m = /^([a-z0-9]+)\/(\d{1,5})$/.exec(text);
  if (!m) return null;
  const proto = PROTO_IDS.get(m[1]) ?? (/^\d{1,3}$/.test(m[1]) ? Number(m[1]) : NaN);
  const port = Number(m[2]);
  if (!(proto >= 0 && proto <= 255) || port > 65535) return null;
  return [proto, port];
}

/** Text of a 16-byte address: dotted quad for IPv4-mapped, RFC 5952 for the rest. */
function addrText(b: Uint8Array): string {
  const v6 = ipaddr.fromByteArray(Array.from(b)) as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}

/** The 16 bytes of an address text (IPv4 as ::ffff:a.b.c.d, as the core keys it), or null. */
function parseAddr(text: string): Uint8Array | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(ipaddr.IPv4.parse(text).octets, 12);
    return out;
  }
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return Uint8Array.from(ipaddr.IPv6.parse(text).toByteArray());
  return null;
}

/**
 * The JSON form of the records `records` (abi.BLREC_STRIDE bytes each, as Engine.exportBaselines()
 * returns them), with the window and span of `options` (those the records were learnt with).
 * Throws Error on a record of an unknown kind (a core/host mismatch, not user input).
 */
export function coreBaselinesToJson(records: Uint8Array, options: AnalysisOptions): CoreBaselinesJson {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const out: CoreBaselineRecord[] = [];
  for (let o = 0; o + abi.BLREC_STRIDE <= records.length; o += abi.BLREC_STRIDE) {
    const id = v.getUint8(o + abi.BLREC_KIND);
    const kind = KIND_NAMES[id];
    if (!kind) throw new Error(`core baseline record ${o / abi.BLREC_STRIDE}: unknown kind ${id}`);
    const r: CoreBaselineRecord = { kind, n: 0, mean: 0, s: 0 };
    const proto = v.getUint8(o + abi.BLREC_PROTO);
    const port = v.getUint16(o + abi.BLREC_PORT, true);
    const addr = () => addrText(records.subarray(o + abi.BLREC_ADDR, o + abi.BLREC_ADDR + 16));
    if (id === abi.BLREC_SPIKE_DST) {
      r.addr = addr();
      r.ageWindows = v.getUint32(o + abi.BLREC_AGE_W, true);
    } else if (id === abi.BLREC_PROTO_CLASS) {
      r.class = CLASS_NAMES[v.getUint8(o + abi.BLREC_VARIANT)] ?? String(v.getUint8(o + abi.BLREC_VARIANT));
    } else if (id === abi.BLREC_PROTO_SERVICE || id === abi.BLREC_LONGCONN_SERVICE) {
      r.service = serviceText(proto, port);
    } else if (id === abi.BLREC_LATENCY_SERVER) {
      r.addr = addr();
      r.service = serviceText(proto, port);
      r.variant = VARIANT_NAMES[v.getUint8(o + abi.BLREC_VARIANT)] ?? String(v.getUint8(o + abi.BLREC_VARIANT));
    }
    r.n = v.getFloat64(o + abi.BLREC_N, true);
    r.mean = v.getFloat64(o + abi.BLREC_MEAN, true);
    r.s = v.getFloat64(o + abi.BLREC_S, true);
    // Field order as in the header (kind, key fields, n, mean, s) for readable files.
    const { n, mean, s, ...rest } = r;
    out.push({ ...rest, n, mean, s });
  }
  return { windowS: options.baseline.windowS, span: options.baseline.windows, records: out };
}

/**
 * Reads and validates the JSON form at `path` (e.g. "$.core") into abi.BLREC_* records for
 * RuleInputs.baselines. Throws BaselineFormatError naming the JSON path of the first problem: a
 * missing, unknown or mistyped field, an unknown kind, class, variant or service, an address
 * ipaddr.js does not read, n not an integer in [1, 2^32 - 1], a non-finite number, a negative
 * variance or M2, ageWindows not below the span, a key that appears twice, or a windowS / span that
 * differs from `options.baseline` (the file was learnt with other metric windows).
 */
export function coreBaselinesFromJson(v: unknown, path: string, options: AnalysisOptions): Uint8Array {
  const o = obj(v, path);
  keysExactly(o, path, ['windowS', 'span', 'records']);
  const windowS = num(o.windowS, `${path}.windowS`, { min: 0 });
  if (windowS !== options.baseline.windowS) {
    throw new BaselineFormatError(
      `${path}.windowS`,
      `learnt with ${windowS}-s metric windows, this analysis uses ${options.baseline.windowS}-s windows (set the same window or learn again)`,
    );
  }
  const span = num(o.span, `${path}.span`, { min: 1, int: true });
  if (span !== options.baseline.windows) {
    throw new BaselineFormatError(
      `${path}.span`,
      `learnt with a baseline span of ${span} windows, this analysis uses ${options.baseline.windows} (set the same span or learn again)`,
    );
  }
  const list = arr(o.records, `${path}.records`);
  const bytes = new Uint8Array(list.length * abi.BLREC_STRIDE);
  const dv = new DataView(bytes.buffer);
  const seen = new Map<string, number>();
  for (let i = 0; i < list.length; i++) {
    const p = `${path}.records[${i}]`;
    const r = obj(list[i], p);
    const kindName = str(r.kind, `${p}.kind`);
    const id = KIND_IDS.get(kindName);
    if (id === undefined) throw new BaselineFormatError(`${p}.kind`, `unknown kind "${kindName.slice(0, 40)}" (expected one of ${[...KIND_IDS.keys()].join(', ')})`);
    const kind = kindName as CoreBaselineKind;
    keysExactly(r, p, ['kind', ...KIND_KEYS[kind], 'n', 'mean', 's']);
    const b = i * abi.BLREC_STRIDE;
    dv.setUint8(b + abi.BLREC_KIND, id);
    let key: string = kind;
    if (r.addr !== undefined) {
      const text = str(r.addr, `${p}.addr`);
      const a = parseAddr(text);
      if (!a) throw new BaselineFormatError(`${p}.addr`, `"${text.slice(0, 60)}" is not an IPv4 or IPv6 address`);
      bytes.set(a, b + abi.BLREC_ADDR);
      key += ` ${Array.from(a).join('.')}`;
    }
    if (r.service !== undefined) {
      const text = str(r.service, `${p}.service`);
      const sv = parseService(text);
      if (!sv) throw new BaselineFormatError(`${p}.service`, `"${text.slice(0, 60)}" is not a service like "tcp/443"`);
      if ((id === abi.BLREC_PROTO_SERVICE && sv[0] !== 6 && sv[0] !== 17) || (id === abi.BLREC_LATENCY_SERVER && sv[0] !== 6)) {
        throw new BaselineFormatError(`${p}.service`, `"${text}": ${kind} services are ${id === abi.BLREC_LATENCY_SERVER ? 'TCP' : 'TCP or UDP'}`);
      }
      dv.setUint8(b + abi.BLREC_PROTO, sv[0]);
      dv.setUint16(b + abi.BLREC_PORT, sv[1], true);
      key += ` ${sv[0]}/${sv[1]}`;
    }
    if (r.class !== undefined) {
      const c = CLASS_NAMES.indexOf(str(r.class, `${p}.class`));
      if (c < 0) throw new BaselineFormatError(`${p}.class`, `unknown class "${String(r.class).slice(0, 40)}" (expected ${CLASS_NAMES.join(', ')})`);
      dv.setUint8(b + abi.BLREC_VARIANT, c);
      key += ` ${c}`;
    }
    if (r.variant !== undefined) {
      const c = VARIANT_NAMES.indexOf(str(r.variant, `${p}.variant`));
      if (c < 0) throw new BaselineFormatError(`${p}.variant`, `unknown latency variant "${String(r.variant).slice(0, 40)}" (expected ${VARIANT_NAMES.join(', ')})`);
      dv.setUint8(b + abi.BLREC_VARIANT, c);
      key += ` ${c}`;
    }
    if (r.ageWindows !== undefined) {
      dv.setUint32(b + abi.BLREC_AGE_W, num(r.ageWindows, `${p}.ageWindows`, { min: 0, max: span - 1, int: true }), true);
    }
    dv.setFloat64(b + abi.BLREC_N, num(r.n, `${p}.n`, { min: 1, max: U32_MAX, int: true }), true);
    dv.setFloat64(b + abi.BLREC_MEAN, num(r.mean, `${p}.mean`), true);
    dv.setFloat64(b + abi.BLREC_S, num(r.s, `${p}.s`, id === abi.BLREC_SPIKE_POPULATION ? {} : { min: 0 }), true);
    const first = seen.get(key);
    if (first !== undefined) throw new BaselineFormatError(p, `the same baseline as ${path}.records[${first}]`);
    seen.set(key, i);
  }
  return bytes;
}

/** How many baselines of each kind `records` (abi.BLREC_* records) holds; latencyServers counts
 *  servers (address and port), whatever their variants. */
export function coreBaselineCounts(records: Uint8Array): {
  spikeGlobal: number;
  spikeDestinations: number;
  protocolClasses: number;
  services: number;
  latencyServers: number;
  longconnServices: number;
} {
  const c = { spikeGlobal: 0, spikeDestinations: 0, protocolClasses: 0, services: 0, latencyServers: 0, longconnServices: 0 };
  const servers = new Set<string>();
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let o = 0; o + abi.BLREC_STRIDE <= records.length; o += abi.BLREC_STRIDE) {
    switch (v.getUint8(o + abi.BLREC_KIND)) {
      case abi.BLREC_SPIKE_GLOBAL:
        c.spikeGlobal++;
        break;
      case abi.BLREC_SPIKE_DST:
        c.spikeDestinations++;
        break;
      case abi.BLREC_PROTO_CLASS:
        c.protocolClasses++;
        break;
      case abi.BLREC_PROTO_SERVICE:
        c.services++;
        break;
      case abi.BLREC_LATENCY_SERVER:
        servers.add(`${records.subarray(o + abi.BLREC_ADDR, o + abi.BLREC_ADDR + 16).join('.')}/${v.getUint16(o + abi.BLREC_PORT, true)}`);
        break;
      case abi.BLREC_LONGCONN_SERVICE:
        c.longconnServices++;
        break;
    }
  }
  c.latencyServers = servers.size;
  return c;
}
