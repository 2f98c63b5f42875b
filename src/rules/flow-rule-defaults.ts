// The flow features' names and the default flow rules, as plain data (no parser), so that
// src/shared/protocol.ts can build DEFAULT_OPTIONS without pulling in the expression evaluator.
// Re-exported by ./flow-rules.ts, which holds the feature definitions and the evaluator.
import type { FlowRule } from '../shared/protocol';

/** The variables a flow rule may use, in AlertColumns.features order (definitions in
 *  ./flow-rules.ts windowFeatures()). */
export const FEATURE_NAMES = ['packets', 'bytes', 'mean_size', 'packets_per_s', 'bytes_per_s', 'dst_ports', 'syn_ratio'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/**
 * Default flow rules, judged once per flow and 60-s window (FWIN_*). Tuned on 60-s flow windows
 * of the captures in shared/data and checked end to end in test/worker/detectors-real.test.ts:
 * silent on every benign capture in normal/ (whose windows peak at dst_ports 3, 461 packets/s of
 * large packets, no SYN-only flow over 1 packet), and firing on the attacks named below.
 * - `syn-repeat`: one 5-tuple that is nearly all SYNs, 20+ packets — a SYN flood with a fixed source
 *   port (hping3 -s) or a client hammering a dead port. Fires on
 *   attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort (up to 30 SYNs per window
 *   on one 5-tuple). Floods with a new source port per SYN are per-packet detectors' job (SYNFLOOD).
 * - `port-fanout`: a short flow (<= 8 packets) of an originator that contacted more than 100
 *   distinct destination ports in the window — every probe of a vertical scan of any kind (SYN,
 *   FIN, NULL, XMAS, ACK, window, UDP, IP-protocol: attacks/portscan/evilfingers_*). A flow per
 *   probe matches, so the rate limiter (limits.flowrule, 10 per 60 s) keeps the report short.
 * - `small-packet-flood`: 1000+ packets at more than 500 packets/s with a mean size under 120 bytes
 *   in one flow — e.g. attacks/icmp/suricata-verify_ipv6_rsmurf6 (1000 ICMPv6 echo requests of 78 B
 *   in 8 ms). Bulk transfers reach such rates only with large packets (zeek_smb_smb2: 1178
 *   packets/s, 1346 B mean).
 */
export const DEFAULT_FLOW_RULES: FlowRule[] = [
  { name: 'syn-repeat', expr: 'syn_ratio > 0.9 and packets >= 20', severity: 'high', enabled: true },
  { name: 'port-fanout', expr: 'dst_ports > 100 and packets <= 8', severity: 'medium', enabled: true },
  { name: 'small-packet-flood', expr: 'packets >= 1000 and packets_per_s > 500 and mean_size < 120', severity: 'high', enabled: true },
];
