// Test helper: a fresh Engine over build/core.wasm (built by `npm test` before vitest starts),
// plus a one-call "run these bytes" that returns counters and decoded alerts.
import { readFileSync } from 'node:fs';
import { Engine, instantiateCore } from '../../src/worker/engine';
import * as abi from '../../src/shared/abi';

let wasmModule: WebAssembly.Module | null = null;

export async function newEngine(): Promise<Engine> {
  wasmModule ??= new WebAssembly.Module(readFileSync(new URL('../../build/core.wasm', import.meta.url)));
  return new Engine(await instantiateCore(wasmModule));
}

export const DATA = new URL('../../../shared/data/', import.meta.url).pathname;

/** Every field of one alert record (abi.ALERT_*), addresses as their 16 bytes. */
export interface RawAlert {
  tsUs: number;
  lastUs: number;
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  protoLabel: number;
  detector: number;
  variant: number;
  kind: number;
  severity: number;
  size: number;
  recordIndex: number;
  recordOffset: number;
  vlan: number;
  score: number;
  mean: number;
  std: number;
  samples: number;
  value: number;
  threshold: number;
  windowS: number;
  count: number;
  peakRate: number;
  episode: number;
  aux: number;
}

/** One core trace point (abi TRACE_*): what its fields mean depends on the trace mode
 *  (CFG_TRACE_DETECTOR; see assembly/abi.ts). */
export interface RawTracePoint {
  tsUs: number;
  size: number;
  mean: number;
  std: number;
  z: number;
  flags: number;
  recordIndex: number;
}

/** Decodes trace point `i` of a trace region view. */
export function readTracePoint(v: DataView, i: number): RawTracePoint {
  const o = i * abi.TRACE_STRIDE;
  return {
    tsUs: Number(v.getBigInt64(o + abi.TRACE_TS_US, true)),
    size: v.getFloat64(o + abi.TRACE_SIZE, true),
    mean: v.getFloat64(o + abi.TRACE_MEAN, true),
    std: v.getFloat64(o + abi.TRACE_STD, true),
    z: v.getFloat64(o + abi.TRACE_Z, true),
    flags: v.getUint32(o + abi.TRACE_FLAGS, true),
    recordIndex: v.getUint32(o + abi.TRACE_RECORD_INDEX, true),
  };
}

/** Decodes the alert record at byte `o` of an alert region view. */
export function readAlert(v: DataView, o: number): RawAlert {
  const u8 = new Uint8Array(v.buffer, v.byteOffset + o, abi.ALERT_STRIDE);
  return {
    tsUs: Number(v.getBigInt64(o + abi.ALERT_TS_US, true)),
    lastUs: Number(v.getBigInt64(o + abi.ALERT_LAST_US, true)),
    src: u8.slice(abi.ALERT_SRC, abi.ALERT_SRC + 16),
    dst: u8.slice(abi.ALERT_DST, abi.ALERT_DST + 16),
    sport: v.getUint16(o + abi.ALERT_SPORT, true),
    dport: v.getUint16(o + abi.ALERT_DPORT, true),
    protoLabel: v.getUint16(o + abi.ALERT_PROTO_LABEL, true),
    detector: v.getUint8(o + abi.ALERT_DETECTOR),
    variant: v.getUint8(o + abi.ALERT_VARIANT),
    kind: v.getUint8(o + abi.ALERT_KIND),
    severity: v.getUint8(o + abi.ALERT_SEVERITY),
    size: v.getUint32(o + abi.ALERT_SIZE, true),
    recordIndex: v.getUint32(o + abi.ALERT_RECORD_INDEX, true),
    recordOffset: v.getFloat64(o + abi.ALERT_RECORD_OFFSET, true),
    vlan: v.getUint32(o + abi.ALERT_VLAN, true),
    score: v.getFloat64(o + abi.ALERT_SCORE, true),
    mean: v.getFloat64(o + abi.ALERT_MEAN, true),
    std: v.getFloat64(o + abi.ALERT_STD, true),
    samples: v.getUint32(o + abi.ALERT_SAMPLES, true),
    value: v.getFloat64(o + abi.ALERT_VALUE, true),
    threshold: v.getFloat64(o + abi.ALERT_THRESHOLD, true),
    windowS: v.getFloat64(o + abi.ALERT_WINDOW_S, true),
    count: v.getFloat64(o + abi.ALERT_COUNT, true),
    peakRate: v.getFloat64(o + abi.ALERT_PEAK_RATE, true),
    episode: v.getUint32(o + abi.ALERT_EPISODE, true),
    aux: v.getFloat64(o + abi.ALERT_AUX, true),
  };
}

export interface RunResult {
  counters: Float64Array;
  status: number;
  errorCode: number;
  errorOffset: number;
  alerts: RawAlert[];
}

/** Runs `bytes` through a fresh engine in chunks of `chunk` bytes with config overrides. */
export async function runBytes(
  bytes: Uint8Array,
  config: Record<number, number> = {},
  chunk = 1 << 20,
): Promise<RunResult> {
  const engine = await newEngine();
  const alerts: RawAlert[] = [];
  engine.start({ [abi.CFG_SEED]: 12345, ...config }, ({ alerts: v, alertCount }) => {
    for (let i = 0; i < alertCount; i++) alerts.push(readAlert(v, i * abi.ALERT_STRIDE));
  });
  for (let p = 0; p < bytes.length && engine.fatal === null; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  const st = engine.finish();
  return { counters: engine.counters(), ...st, alerts };
}
