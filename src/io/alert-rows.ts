// Turns an AnalysisResult into output text: the ONE shared row shape of every detector (AlertRow,
// serialized as JSON Lines or CSV with stable columns, whole or one row at a time so the CLI can
// stream and the page can export), the plain-English message per detector and variant, the
// anomalous-flow list (`--format flows`) and the per-packet reason lines (`--format reasons`,
// from the packet marks). Never touches WASM memory or the DOM; every string from the input is
// data (CSV cells that look like spreadsheet formulas get a leading apostrophe, OWASP "CSV
// injection").
import Papa from 'papaparse';
import {
  BLACKLIST_MATCH_DST, BLACKLIST_MATCH_SRC, DET_BLACKLIST, DET_FLOWRULE, DET_LARGESIZE, DET_PORTSCAN, DET_PROTOSHIFT,
  DET_SPIKE, DET_SYNFLOOD, DET_UNUSUAL, DET_ZSCORE, DET_LATENCY, DET_RETRANS, DET_LONGCONN, DET_PROFILE, LATENCY_CLIENT, LATENCY_RESPONSE,
  LONGCONN_IDLE, LONGCONN_LADDER, MARK_DPORT, MARK_DST, MARK_PROTO, MARK_REASONS, MARK_RECORD_INDEX,
  MARK_SPORT, MARK_SRC, MARK_STRIDE, MARK_TCP_FLAGS, MARK_TS_US, MARK_WIRE_LEN, PORTSCAN_HOSTS,
  PORTSCAN_SYN, PROTOSHIFT_SERVICE, SEV_HIGH, SEV_LOW, SEV_MEDIUM, SPIKE_DST, SYNFLOOD_SLOW, SYNFLOOD_SPREAD,
} from '../shared/abi';
import { DETECTOR_NAMES, FEATURE_COUNT, type AnalysisResult, type ProfileDetail } from '../shared/protocol';
import { communityId, ipProtoNumber, type FiveTuple } from './community-id';
import { NameTable } from './names';
import { forEachDataLine, formatPacketLine } from './packet-lines';

/** Flow feature names in AlertColumns.features order (protocol.ts FEATURE_COUNT; the same list
 *  as src/rules/flow-rules.ts FEATURE_NAMES, repeated here so output does not depend on the rule
 *  compiler). */
export const FLOW_FEATURE_KEYS = ['packets', 'bytes', 'mean_size', 'packets_per_s', 'bytes_per_s', 'dst_ports', 'syn_ratio'] as const;

/**
 * The numbers behind an alert's decision, by detector (keys absent when they do not apply):
 * - rule detectors (BLACKLIST, PORTSCAN, SYNFLOOD, LARGESIZE, UNUSUAL): `value` (the measured
 *   number, its peak over the episode: distinct ports, SYNs in the window, bytes, server port),
 *   `threshold` (what value had to exceed), `window_s` (the rule's window, seconds; 0 when none),
 *   `count` (evidence packets of the episode), `peak_rate` (peak evidence packets per second),
 *   and the variant's second number (ALERT_AUX) under its name: `probes` (PORTSCAN ports and
 *   hosts: probes counted), `ports` (PORTSCAN syn: distinct ports), `sources` (SYNFLOOD dst and
 *   slow: distinct sources, an estimate), `destinations` (SYNFLOOD spread), `protocol` (UNUSUAL: the IP
 *   protocol number);
 * - ZSCORE: `value` = |z|, `threshold` (|z| threshold), `z` (signed), `mean`, `std` (the channel's
 *   baseline before the packet, bytes; σ before the floor), `samples` (packets in the baseline);
 * - LATENCY (value, threshold, mean, std in ms), RETRANS (value and threshold in % of data
 *   segments) and LONGCONN (value, threshold, mean, std in seconds): `metric` (what was measured:
 *   syn_synack_ms, synack_ack_ms, response_ms, retransmitted_pct, duration_s), `value`,
 *   `threshold` (of the severity reached), `mean`, `std` and `samples` (the baseline at the
 *   decision: handshakes or responses of the server, completed flows of the service; RETRANS: the
 *   flow's data segments), `deviation_pct` ((value - mean) / mean x 100; not for RETRANS),
 *   `count` (evidence: samples above the threshold, retransmitted segments, the flow's packets),
 *   `data_segments` and `retransmissions` (RETRANS), `flow_bytes` (LONGCONN: the flow's wire bytes);
 * - FLOWRULE: `rule` (its name), `window_s` (the flow window) and the flow's features in the
 *   window (FLOW_FEATURE_KEYS: packets, bytes, mean_size, packets_per_s, bytes_per_s, dst_ports,
 *   syn_ratio);
 * - SPIKE: `metric` ("bytes_per_s"), `value` (peak bytes/s of a metric window), `threshold` (B/s, of the severity reached),
 *   `window_s`, `count`, `peak_rate`, `mean` (the baseline, B/s), `std` (its σ, log2 units),
 *   `samples` (windows), `deviation_pct` ((value − mean) ÷ mean × 100), `baseline` ("own", or
 *   "population" for a destination judged against the other destinations);
 * - PROTOSHIFT: `metric` ("packet_share_pct"), `value` (peak share of the window's packets, %), `threshold` (percentage points of
 *   the severity reached), `window_s`, `count` (packets of the class or service), `peak_rate`,
 *   `mean` (baseline share, %), `std` (points), `samples`, `points` (value − mean), `deviation_pct`
 *   ((value − mean) ÷ mean × 100; absent when the baseline share is 0), and `class`
 *   (TCP, UDP, ICMP, ICMPv6, other) or `service` ("udp/53");
 * - PROFILE (src/worker/profile.ts): `value` (combined score 0–1), `threshold` (lower bound of the
 *   level reached), `count` (the connection's packets), `samples` (training connections of the
 *   profile used), and from result.profile: `level` (LOW, MEDIUM, HIGH, CRITICAL; severity shows
 *   CRITICAL as high), `statistical`, `ml` (the two scores), `baseline` ("source" or
 *   "population"), `features` (the top features, "service=tcp/22 origBytes=12345"), `metric` (the
 *   top feature), `mean` (its baseline's typical value, raw units), `std` (its spread: log1p units
 *   for numeric features, 0 for categorical ones), `z` (numeric features).
 */
export type Evidence = Partial<Record<(typeof EVIDENCE_KEYS)[number], number | string>>;

/** Every evidence key, in CSV column order (`evidence.<key>`). */
export const EVIDENCE_KEYS = [
  'value', 'threshold', 'window_s', 'count', 'peak_rate', 'probes', 'ports', 'sources', 'destinations', 'protocol',
  'z', 'mean', 'std', 'samples', 'rule', ...FLOW_FEATURE_KEYS,
  'metric', 'deviation_pct', 'data_segments', 'retransmissions', 'flow_bytes', 'points', 'baseline', 'class', 'service',
  'level', 'statistical', 'ml', 'features',
] as const;

/** One alert as an output row: the same shape for every detector. Units: bytes, seconds, µs. */
export interface AlertRow {
  /** Detector name (protocol.ts DETECTOR_NAMES): ZSCORE, BLACKLIST, PORTSCAN, SYNFLOOD,
   *  LARGESIZE, UNUSUAL, FLOWRULE, SPIKE, LATENCY, RETRANS, PROTOSHIFT, LONGCONN, PROFILE. */
  detector: string;
  /** PORTSCAN: "ports" | "syn" | "hosts" (address scan); SYNFLOOD: "dst" | "slow" | "spread"; BLACKLIST:
   *  "src" | "dst" | "both" (the listed end(s), relative to the flow's first packet); SPIKE: "global"
   *  | "dst"; PROTOSHIFT: "proto" | "service"; LATENCY: "server" (SYN -> SYN/ACK) | "client"
   *  (SYN/ACK -> ACK) | "response"; RETRANS: "flow"; LONGCONN: "mean" | "idle" | "ladder"; PROFILE:
   *  the threat level "low" | "medium" | "high" | "critical". Absent for the other detectors. */
  variant?: string;
  severity: 'low' | 'medium' | 'high';
  /** Detector score rounded to 3 decimals: |z| (ZSCORE), value / threshold (rule detectors), 1
   *  (FLOWRULE), value / max(mean, 1) (SPIKE, PROTOSHIFT). */
  score: number;
  /** First and last evidence time: ISO-8601 UTC with µs ("2023-03-15T13:20:00.000000Z") and µs since the epoch. */
  first_ts: string;
  last_ts: string;
  first_ts_us: number;
  last_ts_us: number;
  /** The subject: addresses (or node names), ports and protocol name of the first evidence packet
   *  (FLOWRULE: the flow's originator → responder). */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: string;
  /** Community ID v1 of the subject's 5-tuple (./community-id.ts, seed options.communityIdSeed,
   *  0 by default; ICMP: type and code as
   *  the spec maps them), the key to join with Zeek, Suricata or Arkime records of the flow.
   *  Absent for whole-traffic alerts (SPIKE global, PROTOSHIFT) and when an end is not an IP
   *  address (node names) or the protocol is not an IP protocol (a CSV name such as "DNS"). */
  community_id?: string;
  /** Size of the first evidence packet, bytes. */
  size: number;
  /** 1-based packet number (pcap/pcapng) or data-row / data-line number (CSV, JSON, packet lines)
   *  of the first evidence packet. */
  record: number;
  /** True when the rate limiter suppressed the alert (printed only with --include-suppressed). */
  suppressed: boolean;
  /** Core episode id (0 for single-packet alerts and flow rules). */
  episode: number;
  evidence: Evidence;
  /** Plain-English explanation, one line. */
  message: string;
  /** The original row's fields, when the input was rows (result.rowFields). */
  fields?: Record<string, unknown>;
}

/** The CSV columns before the `field.<name>` columns: the same for every detector and input. */
export const ALERT_CSV_COLUMNS: readonly string[] = [
  'detector', 'variant', 'severity', 'score', 'first_ts', 'last_ts', 'first_ts_us', 'last_ts_us',
  'src', 'dst', 'sport', 'dport', 'proto', 'community_id', 'size', 'record', 'suppressed', 'episode',
  ...EVIDENCE_KEYS.map((k) => `evidence.${k}`), 'message',
];

const round = (v: number, d: number): number => {
  const f = 10 ** d;
  return Math.round(v * f) / f;
};

/** Bytes/σ/counts for messages: integers as is, else one decimal. */
const fmt = (v: number): string => (Number.isFinite(v) ? String(round(v, 1)) : String(v));

/** A duration for messages: two significant digits below 100 s ("1.2 s", "0.19 s"), whole seconds above. */
export function durationText(s: number): string {
  if (!Number.isFinite(s) || s <= 0) return '0 s';
  return `${s < 100 ? Number(s.toPrecision(2)) : Math.round(s)} s`;
}

/** µs since the epoch → ISO-8601 UTC with 6 decimals ("2023-03-15T13:20:00.123456Z"); "-" when not finite. */
export function isoUs(tsUs: number): string {
  if (!Number.isFinite(tsUs)) return '-';
  const ms = Math.floor(tsUs / 1000);
  const us = Math.round(tsUs - ms * 1000);
  return new Date(ms).toISOString().replace('Z', `${String(us).padStart(3, '0')}Z`);
}

function severityName(s: number): AlertRow['severity'] {
  return s === SEV_HIGH ? 'high' : s === SEV_MEDIUM ? 'medium' : s === SEV_LOW ? 'low' : 'low';
}

/** "A:p" (IPv6 bracketed), "A" when the port is 0. */
const endText = (a: string, p: number): string => (p === 0 ? a : a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`);

/** "A:p → B:q (TCP)"; ports left out when 0, IPv6 ends bracketed. */
function channelText(src: string, dst: string, sport: number, dport: number, proto: string): string {
  return `${endText(src, sport)} → ${endText(dst, dport)} (${proto})`;
}

/** "tcp/31337", "udp/53", "icmp", "icmpv6", "proto/47": the normal-services spelling. */
export function serviceText(ipProto: number, port: number): string {
  if (ipProto === 6) return `tcp/${port}`;
  if (ipProto === 17) return `udp/${port}`;
  if (ipProto === 1) return 'icmp';
  if (ipProto === 58) return 'icmpv6';
  return `proto/${ipProto}`;
}

const plural = (n: number, word: string): string => `${fmt(n)} ${word}${n === 1 ? '' : 's'}`;

/** The variant's name (AlertRow.variant), or undefined for detectors without variants. */
export function variantName(detector: number, variant: number): string | undefined {
  if (detector === DET_PORTSCAN) return variant === PORTSCAN_SYN ? 'syn' : variant === PORTSCAN_HOSTS ? 'hosts' : 'ports';
  if (detector === DET_SYNFLOOD) return variant === SYNFLOOD_SPREAD ? 'spread' : variant === SYNFLOOD_SLOW ? 'slow' : 'dst';
  if (detector === DET_BLACKLIST) {
    const both = BLACKLIST_MATCH_SRC | BLACKLIST_MATCH_DST;
    return (variant & both) === both ? 'both' : variant & BLACKLIST_MATCH_DST ? 'dst' : 'src';
  }
  if (detector === DET_LATENCY) return variant === LATENCY_CLIENT ? 'client' : variant === LATENCY_RESPONSE ? 'response' : 'server';
  if (detector === DET_RETRANS) return 'flow';
  if (detector === DET_LONGCONN) return variant === LONGCONN_IDLE ? 'idle' : variant === LONGCONN_LADDER ? 'ladder' : 'mean';
  if (detector === DET_SPIKE) return variant === SPIKE_DST ? 'dst' : 'global';
  if (detector === DET_PROTOSHIFT) return variant === PROTOSHIFT_SERVICE ? 'service' : 'proto';
  if (detector === DET_PROFILE) return (PROFILE_LEVELS[variant] ?? '').toLowerCase() || undefined;
  return undefined;
}

/** A number with thousands separators and one decimal at most ("549,460", "7.1"). */
const num = (v: number): string => grouped(v, 1);

/** A long duration for messages: "0.026 s", "45 s", "51 min", "2 h 3 min", "3 d 4 h". */
export function longDurationText(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '0 s';
  if (s < 60) return s > 0 && s < 1 ? `${Number(s.toPrecision(2))} s` : `${Math.round(s)} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}


/** LATENCY's measured step per variant, for messages and the evidence `metric`. */
const LATENCY_STEP = ['SYN→SYN/ACK', 'SYN/ACK→ACK', 'request→response'];
const LATENCY_METRIC = ['syn_synack_ms', 'synack_ack_ms', 'response_ms'];
const LATENCY_SAMPLE = ['handshake', 'handshake', 'response'];

/** Protocol class names of PROTOSHIFT_PROTO (ALERT_AUX 0-4). */
export const PROTOCOL_CLASSES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other'] as const;

/** What a PROTOSHIFT alert is about: the class name, or the service ("udp/53") of AUX. */
export function shiftSubject(variant: number, aux: number): string {
  if (variant === PROTOSHIFT_SERVICE) return serviceText(aux >>> 16, aux & 0xffff);
  return PROTOCOL_CLASSES[aux] ?? `class ${aux}`;
}

/** A number for messages with thousands separators and at most `digits` decimals: a rate or count
 *  as a whole number by default ("549,460"), "7.1" with digits 1. */
export function grouped(v: number, digits = 0): string {
  if (!Number.isFinite(v)) return String(v);
  return (digits === 0 ? Math.round(v) : v).toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** (value − mean) ÷ max(mean, floor) × 100, the deviation above a baseline in percent; NaN when
 *  max(mean, floor) is not positive. floor 1 (default) as SPIKE's score; floor 0 for LATENCY and
 *  LONGCONN (means below 1 ms or 1 s are real). */
export function deviationPct(value: number, mean: number, floor = 1): number {
  const m = mean > floor ? mean : floor;
  return m > 0 ? ((value - mean) / m) * 100 : NaN;
}

/** ", +243 %" for a message, or '' when the deviation is not defined. */
function deviationSuffix(value: number, mean: number, floor: number): string {
  const d = Math.round(deviationPct(value, mean, floor));
  return Number.isFinite(d) ? `, ${d >= 0 ? '+' : ''}${grouped(d)} %` : '';
}

function featureText(key: string, v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (key === 'syn_ratio') return v.toFixed(2);
  if (key === 'packets' || key === 'bytes' || key === 'dst_ports') return String(Math.round(v));
  return String(round(v, 1));
}

interface Subject {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: string;
}

/** The message of alert i (see alertMessage()). */
function message(result: AnalysisResult, i: number, s: Subject, evidence: Evidence): string {
  const a = result.alerts;
  const det = a.detector[i];
  const variant = a.variant[i];
  const value = a.value[i];
  const thr = a.threshold[i];
  const win = fmt(a.windowS[i]);
  const dur = durationText((a.lastUs[i] - a.tsUs[i]) / 1e6);
  const count = a.evidence[i];
  const flow = channelText(s.src, s.dst, s.sport, s.dport, s.proto);
  switch (det) {
    case DET_PORTSCAN:
      if (variant === PORTSCAN_SYN) {
        const ports = result.options.rules?.portscanSyn?.ports;
        return `${s.src} sent ${plural(value, 'SYN')} to ${fmt(a.aux[i])} distinct ports of ${s.dst} in ${dur} ` +
          `(threshold ${fmt(thr)} SYNs${ports === undefined ? '' : ` and ${fmt(ports)} ports`} in ${win} s)`;
      }
      if (variant === PORTSCAN_HOSTS) {
        return `${s.src} probed ${fmt(value)} distinct hosts on ${s.proto.toLowerCase()}/${s.dport} in ${dur} (threshold ${fmt(thr)} in ${win} s)`;
      }
      return `${s.src} probed ${fmt(value)} distinct ports of ${s.dst} in ${dur} (threshold ${fmt(thr)} in ${win} s)`;
    case DET_SYNFLOOD:
      if (variant === SYNFLOOD_SPREAD) {
        return `${plural(value, 'SYN')} to ${plural(a.aux[i], 'destination')} in ${dur}, no single victim (threshold ${fmt(thr)} in ${win} s)`;
      }
      if (variant === SYNFLOOD_SLOW) {
        return `${s.dst} received ${plural(value, 'SYN')} from ${plural(a.aux[i], 'source')} in ${dur}, low and slow (threshold ${fmt(thr)} in ${win} s)`;
      }
      return `${s.dst} received ${plural(value, 'SYN')} from ${plural(a.aux[i], 'source')} in ${dur} (threshold ${fmt(thr)} in ${win} s)`;
    case DET_BLACKLIST: {
      const m = variant & (BLACKLIST_MATCH_SRC | BLACKLIST_MATCH_DST);
      const who = m === (BLACKLIST_MATCH_SRC | BLACKLIST_MATCH_DST)
        ? `${s.src} and ${s.dst} match the blacklist (src, dst)`
        : m === BLACKLIST_MATCH_DST ? `${s.dst} matches the blacklist (dst)` : `${s.src} matches the blacklist (src)`;
      return `${flow}: ${who}; ${plural(count, 'packet')}`;
    }
    case DET_LARGESIZE:
      return count > 1
        ? `${flow}: ${fmt(count)} packets over the threshold, the largest ${fmt(value)} bytes (threshold ${fmt(thr)})`
        : `${flow}: packet of ${fmt(value)} bytes (threshold ${fmt(thr)})`;
    case DET_UNUSUAL:
      return `${flow}: ${serviceText(a.aux[i], value)} is not a normal service; ${plural(count, 'packet')}`;
    case DET_FLOWRULE: {
      const name = String(evidence.rule ?? '?');
      const expr = result.options.flowFeatures?.rules?.find((r) => r.name === name)?.expr;
      const used = FLOW_FEATURE_KEYS.filter((k) => expr === undefined || new RegExp(`\\b${k}\\b`).test(expr));
      const values = used.map((k) => `${k} ${featureText(k, a.features[i * FEATURE_COUNT + FLOW_FEATURE_KEYS.indexOf(k)])}`).join(', ');
      return `flow ${flow} matched rule '${name}'${expr === undefined ? '' : `: ${expr}`} (${values}) in its ${win} s window`;
    }
    case DET_LATENCY: {
      const v = variant <= 2 ? variant : 0;
      const srv = endText(s.dst, s.dport);
      const side = v === LATENCY_CLIENT ? ` (client side, ${s.src})` : '';
      return `High ${v === LATENCY_RESPONSE ? 'response time' : 'latency'} to ${srv}${side}: ${LATENCY_STEP[v]} ${num(value)} ms ` +
        `(threshold ${num(thr)} ms, baseline ${num(a.mean[i])} ms over ${plural(a.samples[i], LATENCY_SAMPLE[v])}${deviationSuffix(value, a.mean[i], 0)})` +
        (count > 1 ? `; ${fmt(count)} slow samples in ${dur}` : '');
    }
    case DET_RETRANS:
      return `Retransmissions ${flow.replace(/ \(TCP\)$/, '')}: ${num(value)} % of ${plural(a.aux[i], 'data segment')} ` +
        `(${fmt(count)} retransmitted; threshold ${num(thr)} %)`;
    case DET_LONGCONN: {
      const d = longDurationText(value);
      if (variant === LONGCONN_LADDER) return `Long connection ${flow}: open ${d}, past the ${longDurationText(thr)} step`;
      const idle = variant === LONGCONN_IDLE ? ` with only ${plural(a.aux[i], 'byte')}` : '';
      const ratio = a.mean[i] > 0 ? `${num(value / a.mean[i])}× ` : '';
      return `Long ${variant === LONGCONN_IDLE ? 'idle ' : ''}connection ${flow}: ${d}${idle}, ${ratio}the service mean of ` +
        `${longDurationText(a.mean[i])} over ${plural(a.samples[i], 'flow')} (threshold ${longDurationText(thr)})`;
    }
    case DET_SPIKE: {
      const sev = a.severity[i] === SEV_HIGH ? 'High' : 'Medium';
      const where = variant === SPIKE_DST ? ` to ${s.dst}` : ' in all traffic';
      const over = `over ${plural(a.samples[i], 'window')}`;
      const base = a.aux[i] === 1
        ? `no baseline of its own yet: typical destination ${grouped(a.mean[i])} B/s ${over}`
        : `baseline ${grouped(a.mean[i])} B/s ${over}`;
      return `${sev} traffic spike${where}: ${grouped(value)} B/s (threshold ${grouped(thr)} B/s, ${base}${deviationSuffix(value, a.mean[i], 1)})`;
    }
    case DET_PROTOSHIFT: {
      const pts = Math.round(value - a.mean[i]);
      return `Protocol shift: ${shiftSubject(variant, a.aux[i])} ${Math.round(value)} % of packets (baseline ${Math.round(a.mean[i])} % ` +
        `over ${plural(a.samples[i], 'window')}, +${pts} points; threshold ${fmt(thr)} points)`;
    }
    case DET_ZSCORE: {
      const z = a.score[i];
      const samples = a.samples[i];
      return `Packet of ${fmt(a.size[i])} B on ${flow} is ${fmt(Math.abs(z))}σ ${z >= 0 ? 'above' : 'below'} the channel's mean of ` +
        `${fmt(a.mean[i])} B (σ ${fmt(a.std[i])} B over ${samples} packet${samples === 1 ? '' : 's'}; threshold ${fmt(Number(evidence.threshold))}σ)`;
    }
    case DET_PROFILE: {
      const d = profileDetail(result, i);
      if (d) return d.explanation;
      return `Per-source profile: ${flow} scores ${value.toFixed(2)} (${PROFILE_LEVELS[variant] ?? '?'}; threshold ${thr.toFixed(2)})`;
    }
    default:
      return `${DETECTOR_NAMES[det] ?? `detector ${det}`} on ${flow}: value ${fmt(value)} (threshold ${fmt(thr)})`;
  }
}

/** PROFILE levels by variant (src/worker/profile.ts: 1 LOW … 4 CRITICAL). */
const PROFILE_LEVELS = ['', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** The detail of PROFILE alert i (result.profile.details[aux]), when the result carries it. */
export function profileDetail(result: AnalysisResult, i: number): ProfileDetail | undefined {
  const a = result.alerts;
  if (a.detector[i] !== DET_PROFILE) return undefined;
  const d = result.profile?.details[a.aux[i]];
  return d && d.alert === i ? d : undefined;
}

function evidenceOf(result: AnalysisResult, i: number): Evidence {
  const a = result.alerts;
  const det = a.detector[i];
  if (det === DET_PROFILE) {
    const e: Evidence = { value: round(a.value[i], 3), threshold: a.threshold[i], count: a.evidence[i], samples: a.samples[i] };
    const d = profileDetail(result, i);
    if (d) {
      e.level = d.level;
      e.statistical = round(d.statistical, 3);
      e.ml = round(d.ml, 3);
      e.baseline = d.baseline.basis;
      const top = d.features.filter((f) => f.score > 0).slice(0, 3);
      e.features = top.map((f) => `${f.feature}=${f.label ?? round(f.value, 3)}`).join(' ');
      if (top[0]) {
        e.metric = top[0].feature;
        e.mean = round(top[0].typical, 3);
        e.std = round(top[0].baselineStd, 3);
        if (top[0].z !== 0) e.z = round(top[0].z, 3);
      }
    }
    return e;
  }
  if (det === DET_ZSCORE) {
    const thr = a.threshold[i] > 0 ? a.threshold[i] : result.options.zscore.threshold;
    return { value: round(Math.abs(a.score[i]), 3), threshold: thr, z: round(a.score[i], 3), mean: round(a.mean[i], 2), std: round(a.std[i], 2), samples: a.samples[i] };
  }
  if (det === DET_FLOWRULE) {
    const e: Evidence = { rule: result.flowRules[a.rule[i]] ?? `rule ${a.rule[i]}`, window_s: a.windowS[i] };
    FLOW_FEATURE_KEYS.forEach((k, f) => {
      e[k] = round(a.features[i * FEATURE_COUNT + f], 3);
    });
    return e;
  }
  const v = a.variant[i];
  if (det === DET_LATENCY || det === DET_RETRANS || det === DET_LONGCONN) {
    const e: Evidence = {
      metric: det === DET_LATENCY ? LATENCY_METRIC[v <= 2 ? v : 0] : det === DET_RETRANS ? 'retransmitted_pct' : 'duration_s',
      value: round(a.value[i], 3),
      threshold: round(a.threshold[i], 3),
      window_s: a.windowS[i],
      count: a.evidence[i],
      peak_rate: round(a.peakRate[i], 3),
    };
    if (det === DET_RETRANS) {
      e.samples = a.samples[i];
      e.data_segments = a.aux[i];
      e.retransmissions = a.evidence[i];
    } else if (det !== DET_LONGCONN || v !== LONGCONN_LADDER) {
      e.mean = round(a.mean[i], 3);
      e.std = round(a.std[i], 3);
      e.samples = a.samples[i];
      const dev = deviationPct(a.value[i], a.mean[i], 0);
      if (Number.isFinite(dev)) e.deviation_pct = round(dev, 1);
    }
    if (det === DET_LONGCONN) e.flow_bytes = a.aux[i];
    return e;
  }
  const e: Evidence = { value: a.value[i], threshold: a.threshold[i], window_s: a.windowS[i], count: a.evidence[i], peak_rate: round(a.peakRate[i], 3) };
  const aux = a.aux[i];
  if (det === DET_SPIKE || det === DET_PROTOSHIFT) {
    // Every baseline detector names its metric (issue #4: metric, value, threshold, baseline mean
    // and σ, samples, deviation % above the baseline).
    e.metric = det === DET_SPIKE ? 'bytes_per_s' : 'packet_share_pct';
    e.value = round(a.value[i], 3);
    e.threshold = round(a.threshold[i], 3);
    e.mean = round(a.mean[i], 3);
    e.std = round(a.std[i], 3);
    e.samples = a.samples[i];
    if (det === DET_SPIKE) {
      e.deviation_pct = round(deviationPct(a.value[i], a.mean[i]), 1);
      e.baseline = aux === 1 ? 'population' : 'own';
    } else {
      e.points = round(a.value[i] - a.mean[i], 3);
      // Relative to the baseline share; none when the share was 0 (a service new to the capture).
      const dev = deviationPct(a.value[i], a.mean[i], 0);
      if (Number.isFinite(dev)) e.deviation_pct = round(dev, 1);
      if (v === PROTOSHIFT_SERVICE) e.service = shiftSubject(v, aux);
      else e.class = shiftSubject(v, aux);
    }
    return e;
  }
  if (det === DET_PORTSCAN) e[v === PORTSCAN_SYN ? 'ports' : 'probes'] = aux;
  else if (det === DET_SYNFLOOD) e[v === SYNFLOOD_SPREAD ? 'destinations' : 'sources'] = aux;
  else if (det === DET_UNUSUAL) e.protocol = aux;
  return e;
}

function subjectOf(result: AnalysisResult, i: number): Subject {
  const a = result.alerts;
  const ch = result.channels[a.channel[i]] ?? { src: '?', dst: '?', proto: '?' };
  return { src: ch.src, dst: ch.dst, sport: a.sport[i], dport: a.dport[i], proto: ch.proto };
}

/**
 * The plain-English explanation of alert i (0 ≤ i < result.alerts.count), one line; one phrasing
 * per detector and variant, e.g.
 * - PORTSCAN ports: "192.168.1.10 probed 1000 distinct ports of 192.168.1.25 in 1.2 s (threshold 10 in 60 s)"
 * - PORTSCAN syn: "… sent 150 SYNs to 25 distinct ports of … in 3 s (threshold 100 SYNs and 20 ports in 60 s)"
 * - PORTSCAN hosts: "… probed 30 distinct hosts on tcp/22 in 12 s (threshold 25 in 300 s)"
 * - SYNFLOOD dst: "192.168.1.34 received 5870 SYNs from 1 source in 0.19 s (threshold 100 in 60 s)"
 * - SYNFLOOD slow: "10.10.10.10 received 266 SYNs from 25 sources in 320 s, low and slow (threshold 200 in 600 s)"
 * - SYNFLOOD spread: "900 SYNs to 300 destinations in 0.8 s, no single victim (threshold 50 in 1 s)"
 * - BLACKLIST: "A:p → B:q (TCP): A matches the blacklist (src); 3 packets"
 * - LARGESIZE: "A:p → B:q (TCP): packet of 9014 bytes (threshold 1500)"
 * - UNUSUAL: "A:p → B:q (TCP): tcp/31337 is not a normal service; 4 packets"
 * - FLOWRULE: "flow A:p → B:q (TCP) matched rule 'syn-only flow': syn_ratio > 0.9 and packets >= 20
 *   (packets 120, syn_ratio 1.00) in its 60 s window" (the features the expression uses)
 * - ZSCORE: "Packet of 5000 B on A → B (TCP) is 38.9σ above the channel's mean of 1100 B (σ 100 B
 *   over 3 packets; threshold 3σ)"
 * - LATENCY: "High latency to 10.0.0.5:443: SYN→SYN/ACK 412 ms (threshold 240 ms, baseline 120 ms
 *   over 35 handshakes, +243 %)" (client side: "... (client side, A): SYN/ACK→ACK ...", response:
 *   "High response time to ...: request→response ...")
 * - RETRANS: "Retransmissions 192.168.1.2:51000 → 10.0.0.5:80: 7.1 % of 380 data segments (27
 *   retransmitted; threshold 5 %)"
 * - LONGCONN: "Long connection 10.0.0.2 → 10.0.0.9:22 (TCP): 2 h 3 min, 2.4× the service mean of
 *   51 min over 40 flows (threshold 1 h 42 min)" (idle: "Long idle connection ...: 2 h 3 min with
 *   only 840 bytes, ..."; ladder: "Long connection ...: open 30 min, past the 30 min step").
 * - SPIKE: "High traffic spike to 10.10.10.10: 549,460 B/s (threshold 397,795 B/s, baseline 131,400
 *   B/s over 60 windows, +318 %)" ("in all traffic" for SPIKE_GLOBAL; "no baseline of its own yet:
 *   typical destination 55 B/s over 12 windows" when judged against the population)
 * - PROTOSHIFT: "Protocol shift: UDP 52 % of packets (baseline 9 % over 60 windows, +43 points;
 *   threshold 30 points)" (a service: "udp/30120 98 % of packets ...").
 */
export function alertMessage(result: AnalysisResult, i: number): string {
  return message(result, i, subjectOf(result, i), evidenceOf(result, i));
}

/**
 * The 5-tuple of alert i for Community ID and EVE (IP protocol number, ICMP: sport = type, dport =
 * code), or undefined for whole-traffic alerts (SPIKE global, PROTOSHIFT) and subjects whose
 * protocol is not an IP protocol number.
 */
export function alertFiveTuple(result: AnalysisResult, i: number): FiveTuple | undefined {
  const a = result.alerts;
  const det = a.detector[i];
  if (det === DET_PROTOSHIFT || (det === DET_SPIKE && a.variant[i] !== SPIKE_DST)) return undefined;
  const s = subjectOf(result, i);
  const proto = ipProtoNumber(s.proto);
  if (proto === undefined) return undefined;
  return { src: s.src, dst: s.dst, proto, sport: s.sport, dport: s.dport };
}

/** Community ID v1 of alert i (AlertRow.community_id), or undefined when it has none. */
export function alertCommunityId(result: AnalysisResult, i: number): string | undefined {
  const t = alertFiveTuple(result, i);
  return t && communityId(t, communityIdSeedOf(result));
}

/** The Community ID seed of `result` (options.communityIdSeed; 0 for results saved before it
 *  existed). */
export function communityIdSeedOf(result: AnalysisResult): number {
  return result.options?.communityIdSeed ?? 0;
}

/** The i-th alert of `result` (0 ≤ i < result.alerts.count) as an AlertRow. */
export function alertRow(result: AnalysisResult, i: number): AlertRow {
  const a = result.alerts;
  const det = a.detector[i];
  const s = subjectOf(result, i);
  const evidence = evidenceOf(result, i);
  const variant = variantName(det, a.variant[i]);
  const cid = alertCommunityId(result, i);
  const row: AlertRow = {
    detector: DETECTOR_NAMES[det] || `DETECTOR-${det}`,
    ...(variant === undefined ? {} : { variant }),
    severity: severityName(a.severity[i]),
    score: round(det === DET_ZSCORE ? Math.abs(a.score[i]) : a.score[i], 3),
    first_ts: isoUs(a.tsUs[i]),
    last_ts: isoUs(a.lastUs[i]),
    first_ts_us: a.tsUs[i],
    last_ts_us: a.lastUs[i],
    src: s.src,
    dst: s.dst,
    sport: s.sport,
    dport: s.dport,
    proto: s.proto,
    ...(cid === undefined ? {} : { community_id: cid }),
    size: a.size[i],
    record: a.recordIndex[i] + 1,
    suppressed: a.suppressed[i] === 1,
    episode: a.episode[i],
    evidence,
    message: message(result, i, s, evidence),
  };
  const fields = result.rowFields?.[i];
  if (fields) row.fields = fields;
  return row;
}

/** Indices of the alerts to print: all, or without the suppressed ones. */
export function alertIndices(result: AnalysisResult, includeSuppressed: boolean): number[] {
  const out: number[] = [];
  const sup = result.alerts.suppressed;
  for (let i = 0; i < result.alerts.count; i++) if (includeSuppressed || !sup || sup[i] !== 1) out.push(i);
  return out;
}

/** The alerts of `result` in order as AlertRows (an array: ≤ maxAlerts rows, 200,000 by default;
 *  use alertRow() to produce them one at a time instead). Suppressed ones too unless told. */
export function alertRecords(result: AnalysisResult, includeSuppressed = true): AlertRow[] {
  return alertIndices(result, includeSuppressed).map((i) => alertRow(result, i));
}

/** One JSON Lines record for `row`, without the trailing newline. Non-finite numbers become null. */
export function toJsonlRow(row: AlertRow): string {
  return JSON.stringify(row);
}

/** All rows as JSON Lines: one object per line, each line ending in "\n". */
export function toJsonl(rows: Iterable<AlertRow>): string {
  let out = '';
  for (const r of rows) out += toJsonlRow(r) + '\n';
  return out;
}

/** Names of the original row fields of `result` (union over rowFields, first-seen order). */
export function rowFieldNames(result: AnalysisResult): string[] {
  const seen = new Set<string>();
  for (const f of result.rowFields ?? []) for (const k of Object.keys(f)) seen.add(k);
  return [...seen];
}

/** CSV columns: ALERT_CSV_COLUMNS then `field.<name>` for each original field name. */
export function csvColumns(fieldNames: Iterable<string> = []): string[] {
  return [...ALERT_CSV_COLUMNS, ...[...fieldNames].map((n) => `field.${n}`)];
}

/** CSV columns for a set of rows: the union of their original field names, first-seen order. */
function columnsOfRows(rows: Iterable<AlertRow>): string[] {
  const names = new Set<string>();
  for (const r of rows) if (r.fields) for (const k of Object.keys(r.fields)) names.add(k);
  return csvColumns(names);
}

/** Formula-looking text ("=...", "+...", "-...", "@...", tab, CR) but not plain numbers like "-1". */
const FORMULA = /^[=+\-@\t\r](?![0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$)/;
const UNPARSE: Papa.UnparseConfig = { header: false, newline: '\n', escapeFormulae: FORMULA };

/**
 * The CSV header line, without the trailing newline. Pass the column list (csvColumns()) or the
 * rows themselves (their field names are collected; materialized rows only).
 */
export function toCsvHeader(rowsOrColumns: readonly AlertRow[] | readonly string[]): string {
  const columns =
    rowsOrColumns.length > 0 && typeof rowsOrColumns[0] !== 'string'
      ? columnsOfRows(rowsOrColumns as readonly AlertRow[])
      : rowsOrColumns.length > 0
        ? (rowsOrColumns as readonly string[])
        : csvColumns();
  return Papa.unparse([columns as string[]], UNPARSE);
}

/**
 * One CSV data line for `row`, without the trailing newline. `columns` defaults to the base
 * columns plus this row's own field names, which matches toCsvHeader(rows) whenever all rows have
 * the same fields (always true for one CSV input); pass columns when they may differ (JSON).
 * `evidence.<key>` cells come from row.evidence; nested original values are written as JSON text;
 * missing values as empty cells; booleans as true/false.
 */
export function toCsvRow(row: AlertRow, columns: readonly string[] = csvColumns(Object.keys(row.fields ?? {}))): string {
  const cells = columns.map((c) => {
    let v: unknown;
    if (c.startsWith('field.')) v = row.fields?.[c.slice(6)];
    else if (c.startsWith('evidence.')) v = (row.evidence as Record<string, unknown>)[c.slice(9)];
    else v = (row as unknown as Record<string, unknown>)[c];
    if (v === undefined || v === null) return '';
    if (typeof v === 'object') return JSON.stringify(v);
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    return v as string | number;
  });
  return Papa.unparse([cells], UNPARSE);
}

/** All rows as CSV: a header row, then one line per row, each ending in "\n". */
export function toCsv(rows: Iterable<AlertRow>, columns?: readonly string[]): string {
  const arr = [...rows];
  const cols = columns ?? columnsOfRows(arr);
  let out = toCsvHeader(cols) + '\n';
  for (const r of arr) out += toCsvRow(r, cols) + '\n';
  return out;
}

/**
 * The anomalous flows of `--format flows`: "(src, dst, sport, dport, proto)" once per 5-tuple of
 * the FLOWRULE alerts (originator first, as the flow rules saw it), in first-seen order. Only the
 * alerts the rate limiter let through, unless `includeSuppressed`.
 */
export function flowsLines(result: AnalysisResult, includeSuppressed: boolean): string[] {
  const a = result.alerts;
  const seen = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < a.count; i++) {
    if (a.detector[i] !== DET_FLOWRULE) continue;
    if (!includeSuppressed && a.suppressed[i] === 1) continue;
    const s = subjectOf(result, i);
    const line = `(${s.src}, ${s.dst}, ${s.sport}, ${s.dport}, ${s.proto})`;
    if (seen.has(line)) continue;
    seen.add(line);
    out.push(line);
  }
  return out;
}

/** The reasons of `--format reasons`, in the order they are written for one packet (issue #3). */
export const REASON_ORDER: readonly number[] = [DET_BLACKLIST, DET_PORTSCAN, DET_LARGESIZE, DET_SYNFLOOD, DET_UNUSUAL, DET_SPIKE];

/** Detector names of a mark's reasons (MARK_REASONS, bit 1 << DET_*), in REASON_ORDER. */
export function reasonNames(bits: number): string[] {
  const out: string[] = [];
  for (const d of REASON_ORDER) if (bits & (1 << d)) out.push(DETECTOR_NAMES[d]);
  return out;
}

/** Lines "REASON,<packet line>" for one packet: one per reason, in REASON_ORDER. */
export function reasonLinesOf(bits: number, line: string): string[] {
  return reasonNames(bits).map((r) => `${r},${line}`);
}

/** Number of packet marks in `result` (0 when the analysis did not collect them). */
export function markCount(result: AnalysisResult): number {
  return result.marks ? Math.floor(result.marks.length / MARK_STRIDE) : 0;
}

function markView(result: AnalysisResult): DataView {
  const m = result.marks ?? new Uint8Array(0);
  return new DataView(m.buffer, m.byteOffset, m.byteLength);
}

/** Mark order by record index (the core writes them in input order; this keeps that true even if
 *  a reader ever delivered records out of order). */
function markOrder(result: AnalysisResult): Uint32Array {
  const n = markCount(result);
  const v = markView(result);
  const order = new Uint32Array(n);
  let sorted = true;
  let prev = -1;
  for (let k = 0; k < n; k++) {
    order[k] = k;
    const idx = v.getUint32(k * MARK_STRIDE + MARK_RECORD_INDEX, true);
    if (idx < prev) sorted = false;
    prev = idx;
  }
  if (!sorted) {
    const idx = (k: number) => v.getUint32(k * MARK_STRIDE + MARK_RECORD_INDEX, true);
    order.sort((x, y) => idx(x) - idx(y) || x - y);
  }
  return order;
}

/**
 * Mark k of `result.marks` written as a packet line (./packet-lines.ts): time in whole ms,
 * addresses through `names` (IPv4-mapped → dotted quad, IPv6 → RFC 5952, node ids → the names
 * that table issued), ports, protocol (TCP, UDP, ICMP or the number), wire length, TCP flags.
 */
export function markPacketLine(result: AnalysisResult, k: number, names: NameTable = new NameTable()): string {
  const m = result.marks!;
  const v = markView(result);
  const b = k * MARK_STRIDE;
  return formatPacketLine({
    tsUs: Number(v.getBigInt64(b + MARK_TS_US, true)),
    src: names.formatAddress(m.subarray(b + MARK_SRC, b + MARK_SRC + 16)),
    dst: names.formatAddress(m.subarray(b + MARK_DST, b + MARK_DST + 16)),
    sport: v.getUint16(b + MARK_SPORT, true),
    dport: v.getUint16(b + MARK_DPORT, true),
    proto: v.getUint8(b + MARK_PROTO),
    size: v.getUint32(b + MARK_WIRE_LEN, true),
    flags: v.getUint8(b + MARK_TCP_FLAGS),
  });
}

/**
 * `--format reasons` for input that is not packet lines (pcap, pcapng, CSV, JSON): each flagged
 * packet written as a packet line from its mark, prefixed by its reason ("PORTSCAN,<line>"), one
 * line per reason in REASON_ORDER, packets in input order. `names` resolves node names (pass the
 * table of the rows read; see NameTable.formatAddress). Calls `emit` per line.
 */
export function forEachReasonLine(result: AnalysisResult, emit: (line: string) => void, names: NameTable = new NameTable()): void {
  const v = markView(result);
  for (const k of markOrder(result)) {
    const bits = v.getUint32(k * MARK_STRIDE + MARK_REASONS, true);
    const line = markPacketLine(result, k, names);
    for (const r of reasonLinesOf(bits, line)) emit(r);
  }
}

/** forEachReasonLine() collected into an array. */
export function reasonLines(result: AnalysisResult, names?: NameTable): string[] {
  const out: string[] = [];
  forEachReasonLine(result, (l) => out.push(l), names);
  return out;
}

/**
 * `--format reasons` for packet-line input: re-reads the input (`stream`, the same bytes the
 * analysis read: decompressed if it was gzip) and writes each flagged packet's ORIGINAL line,
 * exactly as in the file (without its line break), prefixed by its reason, one line per reason in
 * REASON_ORDER, in input order. A mark's MARK_RECORD_INDEX is the line's index among the data
 * (non-blank) lines. Memory: one chunk and the marks; reading stops after the last marked line.
 * Returns the number of marks whose line was not found (0 unless the file changed since).
 */
export async function reasonLinesFromOriginal(
  result: AnalysisResult,
  stream: ReadableStream<Uint8Array>,
  emit: (line: string) => void,
): Promise<number> {
  const order = markOrder(result);
  const v = markView(result);
  let next = 0;
  let missing = 0;
  const indexOf = (k: number) => v.getUint32(k * MARK_STRIDE + MARK_RECORD_INDEX, true);
  if (order.length > 0) {
    await forEachDataLine(stream, (index, line) => {
      // Two marks for one index cannot happen (one mark per packet); skip defensively.
      while (next < order.length && indexOf(order[next]) < index) {
        next++;
        missing++;
      }
      while (next < order.length && indexOf(order[next]) === index) {
        const k = order[next++];
        const bits = v.getUint32(k * MARK_STRIDE + MARK_REASONS, true);
        // An over-long line was skipped as bad and never marked; written from the mark if it is.
        for (const r of reasonLinesOf(bits, line ?? markPacketLine(result, k))) emit(r);
      }
      return next < order.length;
    });
  } else await stream.cancel().catch(() => undefined);
  return missing + order.length - next;
}
