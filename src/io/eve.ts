// Alerts as Suricata EVE JSON `alert` events (`flowlens analyze --format eve`), one JSON object
// per line, so SIEM pipelines and tools that read Suricata's eve.json (Elastic/Filebeat's
// Suricata module, Security Onion, Arkime's Suricata plugin, jq recipes) take our alerts as they
// are. Field names and shapes follow Suricata's EVE output (docs "Eve JSON Format", event type
// alert); what has no Suricata equivalent goes into a `flowlens` object. Never touches WASM
// memory or the DOM.
//
// Per alert (AlertRow of ./alert-rows.ts):
// - timestamp: first evidence time in Suricata's format "2023-03-15T13:20:00.123456+0000";
// - flow_id: 53 bits of the Community ID hash (./community-id.ts communityFlowId): the same
//   number for every alert on one 5-tuple, either direction (Suricata's is a per-flow-instance
//   u64; ours never distinguishes two flows on one 5-tuple);
// - src_ip, src_port, dest_ip, dest_port, proto ("TCP", "UDP", "ICMP", "IPv6-ICMP" as Suricata
//   spells it, else the number), community_id: the alert's subject; for ICMP and ICMPv6, as
//   Suricata, no ports but icmp_type and icmp_code (no icmp_code for flow-keyed alerts: FLOWRULE,
//   LONGCONN, RETRANS, LATENCY, PROFILE carry the flow key's counterpart type there);
// - alert: action "allowed" (we never block), gid 1, signature_id (EVE_SIGNATURE_IDS: a stable
//   number per detector and variant), rev 1, signature ("FLOWLENS <DETECTOR> <variant> - <message>"),
//   category (EVE_CATEGORIES: Suricata classification.config descriptions), severity (1 high, 2
//   medium, 3 low, as Suricata's priorities);
// - flowlens: detector, variant, score, first_ts/last_ts, record, episode, suppressed, evidence.
// Whole-traffic alerts (SPIKE global, PROTOSHIFT) have no 5-tuple: src_ip/dest_ip/ports,
// community_id and flow_id are absent; flowlens.subject says what they are about ("all traffic").
import { DETECTOR_NAMES, type AnalysisResult } from '../shared/protocol';
import { alertFiveTuple, alertRow, communityIdSeedOf, type AlertRow } from './alert-rows';
import { communityFlowId } from './community-id';

/** Variant names per detector in signature-id order (AlertRow.variant). */
const VARIANTS: Readonly<Record<string, readonly string[]>> = {
  PORTSCAN: ['ports', 'syn', 'hosts'],
  SYNFLOOD: ['dst', 'slow', 'spread'],
  BLACKLIST: ['src', 'dst', 'both'],
  SPIKE: ['global', 'dst'],
  PROTOSHIFT: ['proto', 'service'],
  LATENCY: ['server', 'client', 'response'],
  RETRANS: ['flow'],
  LONGCONN: ['mean', 'idle', 'ladder'],
  PROFILE: ['low', 'medium', 'high', 'critical'],
};

/** First signature id: Suricata's range for local rules is 1000000-1999999; ours start here. */
export const EVE_SID_BASE = 1_770_000;

/**
 * signature_id of a detector and variant: EVE_SID_BASE + 100 × the detector's index in
 * DETECTOR_NAMES + the variant's index (VARIANTS; 0 when the detector has none), e.g. PORTSCAN
 * ports 1770300, PORTSCAN syn 1770301, ZSCORE 1770100. Stable: DETECTOR_NAMES indices are the core's DET_*
 * numbers and variants are only ever appended.
 */
export function eveSignatureId(detector: string, variant?: string): number {
  const d = (DETECTOR_NAMES as readonly string[]).indexOf(detector);
  const v = variant === undefined ? 0 : Math.max(0, (VARIANTS[detector] ?? []).indexOf(variant));
  return EVE_SID_BASE + 100 * (d < 0 ? 99 : d) + v;
}

/** alert.category per detector: Suricata classification.config descriptions. */
export const EVE_CATEGORIES: Readonly<Record<string, string>> = {
  PORTSCAN: 'Detection of a Network Scan',
  SYNFLOOD: 'Attempted Denial of Service',
  SPIKE: 'Attempted Denial of Service',
  BLACKLIST: 'Potentially Bad Traffic',
  UNUSUAL: 'Potentially Bad Traffic',
  LARGESIZE: 'Unknown Traffic',
  ZSCORE: 'Unknown Traffic',
  FLOWRULE: 'Unknown Traffic',
  PROTOSHIFT: 'Unknown Traffic',
  LONGCONN: 'Unknown Traffic',
  PROFILE: 'Unknown Traffic',
  LATENCY: 'Misc activity',
  RETRANS: 'Misc activity',
};

/** Detectors whose subject is a flow key (orig → resp), not an evidence packet. */
const FLOW_KEYED = new Set(['FLOWRULE', 'LONGCONN', 'RETRANS', 'LATENCY', 'PROFILE']);

const SEVERITY = { high: 1, medium: 2, low: 3 } as const;

/** Suricata's timestamp: "2023-03-15T13:20:00.123456+0000" from AlertRow.first_ts. */
export function eveTimestamp(iso: string): string {
  return iso.endsWith('Z') ? iso.slice(0, -1) + '+0000' : iso;
}

/** Suricata's proto text for an IP protocol number. */
function eveProto(proto: number, name: string): string {
  if (proto === 6) return 'TCP';
  if (proto === 17) return 'UDP';
  if (proto === 1) return 'ICMP';
  if (proto === 58) return 'IPv6-ICMP';
  if (proto === 132) return 'SCTP';
  return /^\d+$/.test(name) ? name : String(proto);
}

/** What an alert without a 5-tuple is about: "all traffic" (SPIKE global), "all traffic · UDP"
 *  (PROTOSHIFT: the class or service), else "src → dst" (node names). */
function subjectText(row: AlertRow): string {
  if (row.detector === 'SPIKE' && row.variant === 'global') return 'all traffic';
  if (row.detector === 'PROTOSHIFT') return `all traffic · ${row.evidence.class ?? row.evidence.service ?? ''}`;
  return `${row.src} → ${row.dst}`;
}

/** One EVE alert event (plain object; JSON.stringify it for a line). */
export type EveAlert = Record<string, unknown>;

/** Alert i of `result` as a Suricata EVE `alert` event (see the header for the fields). */
export function eveAlert(result: AnalysisResult, i: number, row: AlertRow = alertRow(result, i)): EveAlert {
  const t = alertFiveTuple(result, i);
  const cid = row.community_id;
  const ev: EveAlert = { timestamp: eveTimestamp(row.first_ts) };
  const flowId = t && cid ? communityFlowId(t, communityIdSeedOf(result)) : undefined;
  if (flowId !== undefined) ev.flow_id = flowId;
  ev.event_type = 'alert';
  if (t && cid) {
    if (t.proto === 1 || t.proto === 58) {
      // Suricata writes no ports for ICMP. A flow-keyed alert's second "port" is the counterpart
      // type (or the code of a one-way type), not a code: no icmp_code there.
      Object.assign(ev, { src_ip: t.src, dest_ip: t.dst, proto: eveProto(t.proto, row.proto), icmp_type: t.sport });
      if (!FLOW_KEYED.has(row.detector)) ev.icmp_code = t.dport;
    } else Object.assign(ev, { src_ip: t.src, src_port: t.sport, dest_ip: t.dst, dest_port: t.dport, proto: eveProto(t.proto, row.proto) });
    ev.community_id = cid;
  } else ev.proto = row.proto;
  ev.alert = {
    action: 'allowed',
    gid: 1,
    signature_id: eveSignatureId(row.detector, row.variant),
    rev: 1,
    signature: `FLOWLENS ${row.detector}${row.variant ? ' ' + row.variant : ''} - ${row.message}`,
    category: EVE_CATEGORIES[row.detector] ?? 'Unknown Traffic',
    severity: SEVERITY[row.severity],
  };
  ev.flowlens = {
    detector: row.detector,
    ...(row.variant === undefined ? {} : { variant: row.variant }),
    score: row.score,
    first_ts: row.first_ts,
    last_ts: row.last_ts,
    ...(t && cid ? {} : { subject: subjectText(row) }),
    size: row.size,
    record: row.record,
    episode: row.episode,
    suppressed: row.suppressed,
    evidence: row.evidence,
    ...(row.fields ? { fields: row.fields } : {}),
  };
  return ev;
}

/** Alert i as one EVE JSON line, without the newline. */
export function eveLine(result: AnalysisResult, i: number): string {
  return JSON.stringify(eveAlert(result, i));
}
