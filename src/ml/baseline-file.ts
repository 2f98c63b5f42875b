// The baseline file ("learn here, detect there"): what `flowlens learn` writes, the page exports
// and imports, and IndexedDB stores (src/store/baseline-store.ts). One JSON object, version 2:
//   {format: "flowlens-baseline", version: 2, createdAt, source: {fileName, packets, firstUs,
//    lastUs}, model: <src/ml/baseline-model.ts modelToJSON>, core: <src/worker/core-baselines.ts
//    CoreBaselinesJson: the core's window baselines (SPIKE, PROTOSHIFT, LATENCY, LONGCONN)>}
// Version 1 (the model alone, before the core's window baselines were saved) is refused with a
// "learn the baseline again" message: it lacks half of what a baseline is. Reading checks the
// format name and version first, then every part (model: baseline-model.ts; core:
// coreBaselinesFromJson, which also refuses a metric window other than the analysis's), and returns
// a BaselineFile only when all of it is valid: an old or corrupt file is a BaselineFormatError
// naming the JSON path, never a half-applied baseline. Pure TypeScript (worker, CLI, page).
import { DEFAULT_OPTIONS, type AnalysisOptions, type BaselineSummary } from '../shared/protocol';
import { coreBaselineCounts, coreBaselinesFromJson, type CoreBaselinesJson } from '../worker/core-baselines';
import { BASELINE_FORMAT, BASELINE_VERSION, modelFromJSON, modelToJSON, type Model } from './baseline-model';
import { BaselineFormatError, keysExactly, num, obj, str } from './json-check';

/** The capture a baseline was learnt from. Times in µs since the epoch (0 when it had no packet). */
export interface BaselineSource {
  fileName: string;
  /** Packets decoded. */
  packets: number;
  firstUs: number;
  lastUs: number;
}

/** A baseline file in memory. */
export interface BaselineFile {
  /** ISO 8601 time of learning. */
  createdAt: string;
  source: BaselineSource;
  /** Per-source profiles, population profile, standardiser and Isolation Forest. */
  model: Model;
  /** The core's window baselines as JSON, and the same as packed records for
   *  RuleInputs.baselines (validated against the analysis's options when read). */
  core: CoreBaselinesJson;
  coreRecords: Uint8Array;
}

export type { BaselineSummary };

/** The file as JSON text (see the file header). */
export function baselineFileToJson(b: BaselineFile): string {
  return JSON.stringify({
    format: BASELINE_FORMAT,
    version: BASELINE_VERSION,
    createdAt: b.createdAt,
    source: {
      fileName: b.source.fileName,
      packets: b.source.packets,
      firstUs: Number.isFinite(b.source.firstUs) ? b.source.firstUs : 0,
      lastUs: Number.isFinite(b.source.lastUs) ? b.source.lastUs : 0,
    },
    model: modelToJSON(b.model),
    core: b.core,
  });
}

function sourceFromJSON(v: unknown, path: string): BaselineSource {
  const o = obj(v, path);
  keysExactly(o, path, ['fileName', 'packets', 'firstUs', 'lastUs']);
  const s: BaselineSource = {
    fileName: str(o.fileName, `${path}.fileName`),
    packets: num(o.packets, `${path}.packets`, { int: true, min: 0 }),
    firstUs: num(o.firstUs, `${path}.firstUs`),
    lastUs: num(o.lastUs, `${path}.lastUs`),
  };
  if (s.lastUs < s.firstUs) throw new BaselineFormatError(`${path}.lastUs`, 'before firstUs');
  return s;
}

/**
 * Reads a baseline file. `options` are the analysis's (the core part must have been learnt with
 * the same metric window, options.baseline.windowS). Throws BaselineFormatError with the JSON path
 * when the text is not JSON, not a Flowlens baseline, of version 1 ("learn again") or another
 * version, or any part is invalid.
 */
export function baselineFileFromJson(text: string, options: AnalysisOptions): BaselineFile {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new BaselineFormatError('', `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const o = obj(root, '');
  if (o.format !== BASELINE_FORMAT) throw new BaselineFormatError('format', `not a Flowlens baseline (format ${JSON.stringify(o.format)}, expected "${BASELINE_FORMAT}")`);
  const version = num(o.version, 'version', { int: true });
  if (version === 1) {
    throw new BaselineFormatError('version', `version 1 (per-source profiles only, without the core's window baselines) is no longer read; learn the baseline again`);
  }
  if (version !== BASELINE_VERSION) {
    throw new BaselineFormatError('version', `version ${version} is ${version < BASELINE_VERSION ? 'older than' : 'newer than'} this build's ${BASELINE_VERSION} and cannot be read; learn the baseline again`);
  }
  keysExactly(o, '', ['format', 'version', 'createdAt', 'source', 'model', 'core']);
  const createdAt = str(o.createdAt, 'createdAt');
  if (Number.isNaN(Date.parse(createdAt))) throw new BaselineFormatError('createdAt', `not a date: ${createdAt}`);
  const source = sourceFromJSON(o.source, 'source');
  const model = modelFromJSON(o.model, 'model');
  const coreRecords = coreBaselinesFromJson(o.core, 'core', options);
  return { createdAt, source, model, core: o.core as CoreBaselinesJson, coreRecords };
}

/** A summary of `b` (sizeBytes when the JSON text's size is given). */
export function describeBaseline(b: BaselineFile, sizeBytes?: number): BaselineSummary {
  const core = coreBaselineCounts(b.coreRecords);
  const out: BaselineSummary = {
    createdAt: b.createdAt,
    sourceFile: b.source.fileName,
    connections: b.model.counts.connections,
    sources: b.model.counts.sources,
    profiled: b.model.counts.profiled,
    spikeDestinations: core.spikeDestinations,
    latencyServers: core.latencyServers,
    longconnServices: core.longconnServices,
  };
  if (sizeBytes !== undefined) out.sizeBytes = sizeBytes;
  return out;
}

/** Bytes of `text` as UTF-8. */
export function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * Checks a baseline file on its own (import, the page's checkBaseline): every part as
 * baselineFileFromJson, the core part against the metric window and span it says it was learnt
 * with (whether it fits the current settings is checked when it is applied). Returns the file and
 * its summary (sizeBytes set); throws BaselineFormatError.
 */
export function checkBaselineFile(text: string): { file: BaselineFile; summary: BaselineSummary } {
  let windowS = DEFAULT_OPTIONS.baseline.windowS;
  let windows = DEFAULT_OPTIONS.baseline.windows;
  try {
    const core = (JSON.parse(text) as { core?: { windowS?: unknown; span?: unknown } })?.core;
    if (typeof core?.windowS === 'number' && core.windowS > 0) windowS = core.windowS;
    if (typeof core?.span === 'number' && core.span > 0) windows = core.span;
  } catch {
    // baselineFileFromJson reports it
  }
  const file = baselineFileFromJson(text, { ...DEFAULT_OPTIONS, baseline: { ...DEFAULT_OPTIONS.baseline, windowS, windows } });
  return { file, summary: describeBaseline(file, utf8Bytes(text)) };
}
