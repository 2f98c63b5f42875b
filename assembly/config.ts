// Every tunable of the core, defined once: meaning, unit, default and the tool or paper the
// default comes from. Values arrive as f64 through setConfig() before reset(); reset() reads them.
// Never read config in the hot path through cfg(): modules copy what they need at reset().
import * as abi from "./abi";

const values = new StaticArray<f64>(abi.CONFIG_COUNT);

/** Restores every default (called once at module start and by the worker before each analysis). */
export function configDefaults(): void {
  /** Hash seed for every table (hash flooding defence); the worker passes a random one, tests fix it. */
  values[abi.CFG_SEED] = 0x9e3779b9;
  /** Initial flow table slots (power of two, rounded up). Default 65,536. */
  values[abi.CFG_FLOW_CAPACITY] = 65536;
  /** Memory cap of the flow table in bytes; it doubles until the next doubling would pass this.
   *  Default 256 MiB (2 Mi slots of 128 B: table/flow-table.ts FLOW_STRIDE; a live flow costs
   *  128-171 B at the 3/4 load limit). When full, see table/open-table.ts (evict LRU near home). */
  values[abi.CFG_FLOW_MEMORY_CAP_BYTES] = 256 * 1024 * 1024;
  /** Idle timeout of TCP flows, seconds of packet time. Default 300 s (Zeek tcp_inactivity_timeout 5 min). */
  values[abi.CFG_TCP_TIMEOUT_S] = 300;
  /** Idle timeout of UDP flows, seconds. Default 60 s (Zeek udp_inactivity_timeout 1 min). */
  values[abi.CFG_UDP_TIMEOUT_S] = 60;
  /** Idle timeout of ICMP/ICMPv6 flows, seconds. Default 60 s (Zeek icmp_inactivity_timeout 1 min). */
  values[abi.CFG_ICMP_TIMEOUT_S] = 60;
  /** Idle timeout of other IP protocols, seconds. Default 60 s (as UDP; Zeek has no separate value). */
  values[abi.CFG_OTHER_TIMEOUT_S] = 60;
  /** Z-score sliding window, packets per channel. Default 1000 (issue #2). */
  values[abi.CFG_ZSCORE_WINDOW] = 1000;
  /** |z| above which a packet is flagged. Default 3.0 (the three-sigma rule). */
  values[abi.CFG_ZSCORE_THRESHOLD] = 3.0;
  /** Packets a channel's baseline must hold before its packets are scored. Default 3 (issue #2's example). */
  values[abi.CFG_ZSCORE_MIN_SAMPLES] = 3;
  /** Absolute floor of the standard deviation, bytes. Default 1 byte (no division by zero). */
  values[abi.CFG_ZSCORE_MIN_STD_BYTES] = 1.0;
  /** Relative floor of the standard deviation, fraction of |mean|. Default 0.05 (a channel of
   *  constant 54-byte ACKs does not flag a 60-byte padded one: 6 B < 3 x 2.7 B). */
  values[abi.CFG_ZSCORE_MIN_STD_FRACTION] = 0.05;
  /** 1 runs the packet-size z-score detector, 0 skips it. Default 1. */
  values[abi.CFG_ZSCORE_ENABLED] = 1;
  /** Initial channel table slots (power of two). Default 4,096. */
  values[abi.CFG_CHANNEL_CAPACITY] = 4096;
  /** Memory cap of the z-score channel table in bytes; it doubles until the next doubling would pass
   *  this. Default 64 MiB (256 Ki slots of 256 B: detect/zscore.ts CHANNEL_STRIDE; a live channel
   *  costs 256-341 B at the 3/4 load limit). When full, see table/open-table.ts (evict LRU near home). */
  values[abi.CFG_CHANNEL_MEMORY_CAP_BYTES] = 64 * 1024 * 1024;
  /** 1 records every packet of the channel in traceKeyPtr() into the trace region. Default 0. */
  values[abi.CFG_TRACE_ENABLED] = 0;
  /** FORMAT_UNKNOWN sniffs pcap/pcapng from the magic; FORMAT_RECORDS reads packed rows. Default sniff. */
  values[abi.CFG_INPUT_FORMAT] = abi.FORMAT_UNKNOWN;
  /** Bytes the worker writes per chunk. Default 1 MiB (stays in L2; the brief asks for 1-4 MiB). */
  values[abi.CFG_CHUNK_BYTES] = 1024 * 1024;
  /** Alerts held in the output region before process() returns STATUS_OUTPUT_FULL. Default 16,384. */
  values[abi.CFG_ALERT_CAPACITY] = 16384;
  /** Trace points held before STATUS_OUTPUT_FULL. Default 65,536. */
  values[abi.CFG_TRACE_CAPACITY] = 65536;
}
configDefaults();

/** Sets config value `id` (abi.CFG_*); takes effect at the next reset(). Unknown ids are ignored. */
export function setConfigValue(id: i32, value: f64): void {
  if (id >= 0 && id < abi.CONFIG_COUNT) values[id] = value;
}

/** Current value of config `id`. */
export function cfg(id: i32): f64 {
  return values[id];
}
