// The WASM core instance and typed views over its regions. Owns exactly one instance; copies
// input in (one copy) and alerts/trace points out. Runs in the worker and in Node (CLI, tests,
// bench); never on the UI thread. Views are re-taken after every call that may grow memory.
import * as abi from '../shared/abi';
import { ruleVmImports } from '../rules/rule-program';
import type { TrafficTimeline } from '../shared/protocol';

/** The core's exports (assembly/index.ts). All numbers; addresses are byte offsets in memory. */
export interface CoreExports {
  memory: WebAssembly.Memory;
  setConfig(id: number, value: number): void;
  resetConfig(): void;
  getConfig(id: number): number;
  reset(): void;
  inputPtr(): number;
  inputRoom(): number;
  commit(len: number): void;
  process(): number;
  finish(): number;
  errorCode(): number;
  errorOffset(): number;
  counterPtr(): number;
  alertPtr(): number;
  alerts(): number;
  tracePtr(): number;
  tracePoints(): number;
  traceKeyPtr(): number;
  clearOut(): void;
  abiVersion(): number;
  /** Flow table slots (abi.FLOW_*) and their count, for reading flows after an analysis. */
  flowTablePtr(): number;
  flowTableSlots(): number;
  /** Emits open flow windows and closes open episodes; STATUS_OUTPUT_FULL until done, then STATUS_DONE. */
  flush(): number;
  markPtr(): number;
  marks(): number;
  windowPtr(): number;
  windows(): number;
  /** Connection records (abi.CONN_*), with CFG_CONN_RECORDS_ENABLED: one per flow end. */
  connPtr(): number;
  conns(): number;
  /** Room for n blacklist ranges (abi.BLACKLIST_RANGE_BYTES each); applies at reset(). */
  blacklistReserve(n: number): number;
  /** The normal-services bitmaps (abi.SERVICES_*); applies at reset(). */
  servicesPtr(): number;
  /** Room for a flow-rule program of n bytes (src/rules/rule-program.ts); applies at reset(). */
  ruleProgramReserve(bytes: number): number;
  /** Test entries of the rule VM (assembly/index.ts): its 7 f64 features, the mask of the loaded
   *  program on them, and the mask of the FWIN record at an address (features computed first). */
  ruleVmFeaturesPtr(): number;
  ruleVmMask(): number;
  ruleVmJudgeAt(ptr: number): number;
  /** Room for n learned-baseline records (abi.BLREC_*); loaded by the next reset(). */
  baselineReserve(n: number): number;
  /** Writes the learned baselines as abi.BLREC_* records (after flush()); returns their number. */
  baselineExport(): number;
  baselinePtr(): number;
  /** The traffic timeline (assembly/detect/timeline.ts): timelineBins() records of abi.TL_STRIDE
   *  bytes at timelinePtr(); bin width and start of bin 0 in µs. */
  timelinePtr(): number;
  timelineBins(): number;
  timelineBinUs(): number;
  timelineStartUs(): number;
}

/** Called with the output regions before they are cleared. The views are valid only during the
 *  call (memory may grow afterwards). Records are in the order the core wrote them. */
export type OutputSink = (out: {
  alerts: DataView;
  alertCount: number;
  trace: DataView;
  traceCount: number;
  /** Packet marks (abi.MARK_*), only with CFG_MARKS_ENABLED. */
  marks: DataView;
  markCount: number;
  /** Flow windows (abi.FWIN_*). */
  windows: DataView;
  windowCount: number;
  /** Connection records (abi.CONN_*), one per flow end, with CFG_CONN_RECORDS_ENABLED. */
  conns: DataView;
  connCount: number;
}) => void;

/** Inputs of the rule detectors, written into the core before reset(). */
export interface RuleInputs {
  /** Blacklist ranges, abi.BLACKLIST_RANGE_BYTES each (first, last address; sorted, disjoint). */
  blacklist?: Uint8Array;
  /** Normal-services bitmaps, abi.SERVICES_BYTES. */
  services?: Uint8Array;
  /** The enabled flow rules as a rule-VM program (FlowRuleSet.program); none: no rules, so no
   *  flow windows unless CFG_FLOWWIN_EMIT_ALL. */
  ruleProgram?: Uint8Array;
  /** Learned baselines to start from (seeded baselines): abi.BLREC_STRIDE-byte records as
   *  exportBaselines() returns them, validated by the caller (src/worker/core-baselines.ts
   *  coreBaselinesFromJson). Loaded by start() before the first packet; records the core cannot
   *  place are counted in C_BASELINE_IMPORT_REJECTED. */
  baselines?: Uint8Array;
}

const ABI_VERSION = 5;

/** Instantiates the core from its bytes or a compiled module, with the JS functions its flow-rule
 *  VM calls (ruleVmImports). Throws (a bug, not input) when the module's ABI version is not the
 *  one this code was written for. */
export async function instantiateCore(wasm: BufferSource | WebAssembly.Module): Promise<CoreExports> {
  let memory: WebAssembly.Memory | null = null;
  const imports = {
    env: {
      ...ruleVmImports(() => memory!),
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`WASM core aborted at ${line}:${col}`);
      },
      seed(): number {
        return Date.now();
      },
    },
  };
  const instance =
    wasm instanceof WebAssembly.Module
      ? await WebAssembly.instantiate(wasm, imports)
      : (await WebAssembly.instantiate(wasm, imports)).instance;
  const ex = instance.exports as unknown as CoreExports;
  memory = ex.memory;
  if (ex.abiVersion() !== ABI_VERSION) throw new Error(`core ABI ${ex.abiVersion()} != ${ABI_VERSION}`);
  return ex;
}

/** A fatal or end-of-stream status of the core, decoded. */
export interface CoreStatus {
  status: number;
  errorCode: number;
  errorOffset: number;
}

/**
 * Drives one core instance: configure, reset, feed bytes, finish, read counters.
 * `feed` copies the bytes into the input region in pieces of at most inputRoom() and runs
 * process() after each, draining output through `sink` whenever the core reports it full.
 */
export class Engine {
  constructor(readonly core: CoreExports) {}

  /** Sets config values (abi.CFG_* → value) and the rule inputs, and resets all state. */
  start(config: Record<number, number>, sink: OutputSink, rules: RuleInputs = {}): void {
    this.core.resetConfig();
    for (const [id, v] of Object.entries(config)) this.core.setConfig(Number(id), v);
    const bl = rules.blacklist ?? new Uint8Array(0);
    const n = Math.floor(bl.length / abi.BLACKLIST_RANGE_BYTES);
    const blPtr = this.core.blacklistReserve(n);
    if (n > 0) new Uint8Array(this.core.memory.buffer, blPtr, n * abi.BLACKLIST_RANGE_BYTES).set(bl.subarray(0, n * abi.BLACKLIST_RANGE_BYTES));
    const services = new Uint8Array(this.core.memory.buffer, this.core.servicesPtr(), abi.SERVICES_BYTES);
    services.fill(0);
    if (rules.services) services.set(rules.services.subarray(0, abi.SERVICES_BYTES));
    const program = rules.ruleProgram ?? new Uint8Array(0);
    const progPtr = this.core.ruleProgramReserve(program.length);
    if (program.length > 0) new Uint8Array(this.core.memory.buffer, progPtr, program.length).set(program);
    const base = rules.baselines ?? new Uint8Array(0);
    if (base.length % abi.BLREC_STRIDE !== 0) throw new Error(`baseline records: ${base.length} bytes is not a multiple of ${abi.BLREC_STRIDE}`);
    const nb = base.length / abi.BLREC_STRIDE;
    const basePtr = this.core.baselineReserve(nb);
    if (nb > 0) new Uint8Array(this.core.memory.buffer, basePtr, base.length).set(base);
    this.core.reset();
    this.sink = sink;
    this.stopped = null;
  }

  private sink: OutputSink = () => {};
  private stopped: CoreStatus | null = null;

  /** The fatal status that stopped the core, or null while it is running. */
  get fatal(): CoreStatus | null {
    return this.stopped;
  }

  /** Feeds bytes; returns false once the core stopped on a fatal error (further bytes are ignored). */
  feed(bytes: Uint8Array): boolean {
    const core = this.core;
    let pos = 0;
    while (pos < bytes.length && !this.stopped) {
      const room = core.inputRoom();
      if (room <= 0) throw new Error('core input region has no room (reader bug)');
      const n = Math.min(room, bytes.length - pos);
      new Uint8Array(core.memory.buffer, core.inputPtr(), n).set(bytes.subarray(pos, pos + n));
      core.commit(n);
      pos += n;
      this.run();
    }
    return !this.stopped;
  }

  /** Feeds `n` bytes already written at inputPtr() (zero-copy path for readers that can fill WASM memory). */
  commitInPlace(n: number): boolean {
    if (this.stopped) return false;
    this.core.commit(n);
    this.run();
    return !this.stopped;
  }

  private run(): void {
    for (;;) {
      const st = this.core.process();
      if (st === abi.STATUS_OUTPUT_FULL) {
        this.drain();
        continue;
      }
      if (st === abi.STATUS_ERROR) {
        this.drain();
        this.stopped = { status: st, errorCode: this.core.errorCode(), errorOffset: this.core.errorOffset() };
      }
      return;
    }
  }

  /** Ends the stream, flushes open flow windows and episodes, and drains the last output. */
  finish(): CoreStatus {
    if (this.stopped) {
      this.flush();
      return this.stopped;
    }
    let st = this.core.finish();
    while (st === abi.STATUS_OUTPUT_FULL) {
      this.drain();
      st = this.core.finish();
    }
    this.flush();
    return { status: st, errorCode: this.core.errorCode(), errorOffset: this.core.errorOffset() };
  }

  /** Stops without ending the stream (cancel): a partial record left in the input is not counted;
   *  what was analysed is flushed like at the end. */
  abandon(): CoreStatus {
    this.flush();
    return this.stopped ?? { status: abi.STATUS_DONE, errorCode: abi.ERR_NONE, errorOffset: 0 };
  }

  /** Emits open flow windows and closes open episodes (core flush()), draining as needed. */
  private flush(): void {
    this.drain();
    while (this.core.flush() === abi.STATUS_OUTPUT_FULL) this.drain();
    this.drain();
  }

  /** Copies out and clears the output regions (alerts, trace, marks, flow windows, connection
   *  records) through the sink. */
  drain(): void {
    const core = this.core;
    const alertCount = core.alerts();
    const traceCount = core.tracePoints();
    const markCount = core.marks();
    const windowCount = core.windows();
    const connCount = core.conns();
    if (alertCount > 0 || traceCount > 0 || markCount > 0 || windowCount > 0 || connCount > 0) {
      const buf = core.memory.buffer;
      this.sink({
        alerts: new DataView(buf, core.alertPtr(), alertCount * abi.ALERT_STRIDE),
        alertCount,
        trace: new DataView(buf, core.tracePtr(), traceCount * abi.TRACE_STRIDE),
        traceCount,
        marks: new DataView(buf, core.markPtr(), markCount * abi.MARK_STRIDE),
        markCount,
        windows: new DataView(buf, core.windowPtr(), windowCount * abi.FWIN_STRIDE),
        windowCount,
        conns: new DataView(buf, core.connPtr(), connCount * abi.CONN_STRIDE),
        connCount,
      });
    }
    core.clearOut();
  }

  /** After finish() or abandon(): a copy of the core's learned baselines as abi.BLREC_* records
   *  (the SPIKE, PROTOSHIFT, LATENCY and LONGCONN baselines; assembly/abi.ts describes each kind),
   *  bounded by CFG_BASELINE_EXPORT_MAX_KEYS per keyed table (C_BASELINE_EXPORT_DROPPED counts
   *  what was left out). Load them into another run with RuleInputs.baselines. */
  exportBaselines(): Uint8Array {
    const n = this.core.baselineExport();
    return new Uint8Array(this.core.memory.buffer, this.core.baselinePtr(), n * abi.BLREC_STRIDE).slice();
  }

  /** A copy of the counters (abi.C_*). */
  counters(): Float64Array {
    return new Float64Array(this.core.memory.buffer, this.core.counterPtr(), abi.COUNTER_COUNT).slice();
  }

  /** A copy of the traffic timeline so far (protocol.ts TrafficTimeline): decoded packets and wire
   *  bytes per bin, in total and per TIMELINE_CLASSES class. Before the first packet: bins 0 and
   *  startUs 0. Cheap (at most abi.TL_MAX_BINS · 12 numbers): fine once a second while reading. */
  timeline(): TrafficTimeline {
    return readTimeline(this.core);
  }

  /** Writes the 36-byte channel key to trace (src, dst, u32 label) before start() is called with CFG_TRACE_ENABLED. */
  setTraceKey(key: Uint8Array): void {
    new Uint8Array(this.core.memory.buffer, this.core.traceKeyPtr(), abi.TRACE_KEY_BYTES).set(key);
  }
}

/** Reads the core's timeline region into a TrafficTimeline (copies; see Engine.timeline()). */
export function readTimeline(core: CoreExports): TrafficTimeline {
  const bins = core.timelineBins();
  const v = new Float64Array(core.memory.buffer, core.timelinePtr(), (bins * abi.TL_STRIDE) / 8);
  const stride = abi.TL_STRIDE / 8;
  const packets = new Float64Array(bins);
  const bytes = new Float64Array(bins);
  const classPackets: Float64Array[] = [];
  const classBytes: Float64Array[] = [];
  for (let c = 0; c < abi.TL_CLASSES; c++) {
    classPackets.push(new Float64Array(bins));
    classBytes.push(new Float64Array(bins));
  }
  const cp = abi.TL_CLASS_PACKETS / 8;
  const cb = abi.TL_CLASS_BYTES / 8;
  for (let k = 0, o = 0; k < bins; k++, o += stride) {
    let n = 0;
    let b = 0;
    for (let c = 0; c < abi.TL_CLASSES; c++) {
      const pc = v[o + cp + c];
      const bc = v[o + cb + c];
      classPackets[c][k] = pc;
      classBytes[c][k] = bc;
      n += pc;
      b += bc;
    }
    packets[k] = n;
    bytes[k] = b;
  }
  return { binUs: core.timelineBinUs(), startUs: core.timelineStartUs(), bins, packets, bytes, classPackets, classBytes };
}
