// A small AnalysisResult built from alert rows, for the page's pure logic (no core, no worker).
import { FEATURE_COUNT, type AnalysisResult, type ChannelInfo } from '../../src/shared/protocol';
import { defaultOptions } from '../../src/rules/options';

export interface AlertSpec {
  detector: number;
  variant?: number;
  aux?: number;
  severity: number;
  score: number;
  tsUs: number;
  lastUs?: number;
  channel: number;
  suppressed?: boolean;
  sport?: number;
  dport?: number;
}

/** A result with these alerts on these channels ([src, dst, proto]). */
export function resultOf(alerts: AlertSpec[], channels: [string, string, string][]): AnalysisResult {
  const n = alerts.length;
  const f64 = (f: (a: AlertSpec) => number) => Float64Array.from(alerts, f);
  const chans: ChannelInfo[] = channels.map(([src, dst, proto]) => ({ src, dst, proto, key: new Uint8Array(36), alerts: alerts.filter((a) => channels[a.channel][0] === src).length }));
  return {
    ok: true,
    warnings: [],
    cancelled: false,
    summary: { byDetector: {}, latePackets: 0, flowWindows: 0, blacklistRanges: 0 } as unknown as AnalysisResult['summary'],
    alerts: {
      count: n,
      tsUs: f64((a) => a.tsUs),
      lastUs: f64((a) => a.lastUs ?? a.tsUs),
      detector: Uint8Array.from(alerts, (a) => a.detector),
      variant: Uint8Array.from(alerts, (a) => a.variant ?? 0),
      severity: Uint8Array.from(alerts, (a) => a.severity),
      score: f64((a) => a.score),
      value: f64(() => 0),
      threshold: f64(() => 0),
      windowS: f64(() => 0),
      evidence: f64(() => 1),
      peakRate: f64(() => 0),
      aux: Float64Array.from(alerts, (a) => a.aux ?? 0),
      size: f64(() => 0),
      mean: f64(() => 0),
      std: f64(() => 0),
      samples: new Uint32Array(n),
      recordIndex: new Uint32Array(n),
      recordOffset: f64(() => -1),
      sport: Uint16Array.from(alerts, (a) => a.sport ?? 0),
      dport: Uint16Array.from(alerts, (a) => a.dport ?? 0),
      channel: Uint32Array.from(alerts, (a) => a.channel),
      episode: new Uint32Array(n),
      suppressed: Uint8Array.from(alerts, (a) => (a.suppressed ? 1 : 0)),
      rule: new Int16Array(n).fill(-1),
      features: new Float64Array(n * FEATURE_COUNT).fill(NaN),
    },
    channels: chans,
    flowRules: [],
    options: defaultOptions(),
  };
}
