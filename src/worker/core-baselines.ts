// STUB (helper HOST's branch only; the lead replaces this file with helper CORE's at merge): the
// core's learned window baselines as JSON, per the shared interface of /tmp/common5.md. Until
// CORE's branch lands, nothing is exported or seeded: records are always empty.
import type { AnalysisOptions } from '../shared/protocol';

export interface CoreBaselinesJson {
  windowS: number;
  span: number;
  records: unknown[];
}

export function coreBaselinesToJson(_records: Uint8Array, options: AnalysisOptions): CoreBaselinesJson {
  return { windowS: options.baseline.windowS, span: options.baseline.windows, records: [] };
}

export function coreBaselinesFromJson(_v: unknown, _path: string, _options: AnalysisOptions): Uint8Array {
  return new Uint8Array(0);
}

export function coreBaselineCounts(_records: Uint8Array): {
  spikeGlobal: number;
  spikeDestinations: number;
  protocolClasses: number;
  services: number;
  latencyServers: number;
  longconnServices: number;
} {
  return { spikeGlobal: 0, spikeDestinations: 0, protocolClasses: 0, services: 0, latencyServers: 0, longconnServices: 0 };
}
