// The binary contract between the WASM core and TypeScript: region strides, field offsets,
// status codes, counter ids and config ids. src/shared/abi.ts mirrors every constant here and
// test/shared/abi-mirror.test.ts checks that the two agree. Numbers only: no strings, no classes.
// Never reorder or reuse an id; append new ones.

// ---- status codes returned by process() / finish() ----
/** The core consumed all complete records; write more input (or call finish()). */
export const STATUS_NEED_INPUT: i32 = 0;
/** The alert or trace region is full; drain it (clearOutput()) and call process() again. */
export const STATUS_OUTPUT_FULL: i32 = 1;
/** A fatal format error; see errorCode()/errorOffset(). Everything before the fault is kept. */
export const STATUS_ERROR: i32 = 2;
/** finish() only: the stream ended cleanly. */
export const STATUS_DONE: i32 = 3;

// ---- fatal error codes (errorCode()) ----
export const ERR_NONE: i32 = 0;
/** The first bytes are neither pcap, pcapng nor a packed-record stream. */
export const ERR_NOT_A_CAPTURE: i32 = 1;
/** A file or section header is malformed (bad version, bad length, bad option). */
export const ERR_BAD_FILE_HEADER: i32 = 2;
/** A record or block header is malformed (caplen too large, block length not a multiple of 4, ...). */
export const ERR_BAD_RECORD_HEADER: i32 = 3;
/** The stream ends in the middle of a header or record (errorOffset() is where that record starts). */
export const ERR_TRUNCATED: i32 = 4;
/** A packet block references an interface that was never described (no IDB). */
export const ERR_NO_INTERFACE: i32 = 5;
/** Every interface of the capture uses a link type we cannot decode (set at finish()). */
export const ERR_UNSUPPORTED_LINKTYPE: i32 = 6;

// ---- input formats (counter C_FORMAT) ----
export const FORMAT_UNKNOWN: i32 = 0;
export const FORMAT_PCAP: i32 = 1;
export const FORMAT_PCAPNG: i32 = 2;
/** Fixed-size packed records (REC_*), produced by src/io from CSV/JSON rows. */
export const FORMAT_RECORDS: i32 = 3;

// ---- packed input record (FORMAT_RECORDS), little-endian, REC_STRIDE bytes ----
export const REC_STRIDE: i32 = 64;
/** i64 timestamp, microseconds since the Unix epoch. */
export const REC_TS_US: i32 = 0;
/** 16-byte source address (IPv6, or IPv4-mapped ::ffff:a.b.c.d, or a node name id in NODE_PREFIX). */
export const REC_SRC: i32 = 8;
export const REC_DST: i32 = 24;
export const REC_SPORT: i32 = 40; // u16
export const REC_DPORT: i32 = 42; // u16
export const REC_PROTO: i32 = 44; // u8 IP protocol number (0 when unknown)
export const REC_TCP_FLAGS: i32 = 45; // u8 TCP flags byte (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128)
/** u16 channel protocol label: 0-255 an IP protocol number, 256+ an interned protocol name. */
export const REC_PROTO_LABEL: i32 = 46;
export const REC_WIRE_LEN: i32 = 48; // u32 packet size in bytes
export const REC_INDEX: i32 = 52; // u32 0-based row index in the source file
export const REC_VLAN: i32 = 56; // u32 (outer VLAN id << 12) | inner VLAN id

// ---- alert record (alertPtr()), ALERT_STRIDE bytes ----
export const ALERT_STRIDE: i32 = 160;
export const ALERT_TS_US: i32 = 0; // i64
export const ALERT_SRC: i32 = 8; // 16 bytes
export const ALERT_DST: i32 = 24; // 16 bytes
export const ALERT_SPORT: i32 = 40; // u16
export const ALERT_DPORT: i32 = 42; // u16
export const ALERT_PROTO_LABEL: i32 = 44; // u16 (see REC_PROTO_LABEL)
export const ALERT_DETECTOR: i32 = 46; // u8 DET_*
export const ALERT_SEVERITY: i32 = 47; // u8 SEV_*
export const ALERT_SIZE: i32 = 48; // u32 packet size in bytes
export const ALERT_RECORD_INDEX: i32 = 52; // u32 0-based record (packet or row) index in the input
export const ALERT_SCORE: i32 = 56; // f64 detector score (z-score for DET_ZSCORE, signed)
export const ALERT_MEAN: i32 = 64; // f64 baseline mean (bytes)
export const ALERT_STD: i32 = 72; // f64 baseline standard deviation before the floor (bytes)
export const ALERT_SAMPLES: i32 = 80; // u32 number of packets in the baseline
export const ALERT_VLAN: i32 = 84; // u32
export const ALERT_RECORD_OFFSET: i32 = 88; // f64 byte offset of the record in the (decompressed) stream
// Fields below: every detector. Single-packet alerts (z-score) have ALERT_EPISODE 0 and LAST = TS.
// An episode alert (rule detectors) is written twice: ALERT_KIND_NEW when its condition first
// holds (TS = that packet), and ALERT_KIND_UPDATE when the episode ends (quiet for the rule's
// window, flow end, or end of input) with the whole record re-filled (TS and RECORD_INDEX still
// the first packet's) and LAST/VALUE/COUNT/PEAK_RATE/AUX final. The host keys rows by EPISODE.
export const ALERT_LAST_US: i32 = 96; // i64 last evidence packet time (µs)
export const ALERT_VALUE: i32 = 104; // f64 the measured number (peak over the episode): distinct ports, SYNs in window, bytes, ...
export const ALERT_THRESHOLD: i32 = 112; // f64 the threshold VALUE had to exceed
export const ALERT_WINDOW_S: i32 = 120; // f64 the rule's sliding window, seconds (0 when none)
export const ALERT_COUNT: i32 = 128; // f64 evidence packets in the episode so far
export const ALERT_PEAK_RATE: i32 = 136; // f64 peak evidence packets per second (1-s bins of packet time)
export const ALERT_EPISODE: i32 = 144; // u32 episode id, unique per analysis, 0 for single-packet alerts
export const ALERT_KIND: i32 = 148; // u8 ALERT_KIND_*
export const ALERT_VARIANT: i32 = 149; // u8 detector variant (PORTSCAN_*, SYNFLOOD_*, BLACKLIST_MATCH_*)
export const ALERT_AUX: i32 = 152; // f64 variant-specific second number (see the detector's header comment)
export const ALERT_KIND_NEW: i32 = 0;
export const ALERT_KIND_UPDATE: i32 = 1;

// ---- channel trace point (tracePtr()), TRACE_STRIDE bytes: every packet of the traced channel ----
export const TRACE_STRIDE: i32 = 48;
export const TRACE_TS_US: i32 = 0; // i64
export const TRACE_SIZE: i32 = 8; // f64 bytes
export const TRACE_MEAN: i32 = 16; // f64 baseline mean before this packet (NaN when not scored)
export const TRACE_STD: i32 = 24; // f64 effective std (after the floor) before this packet (NaN when not scored)
export const TRACE_Z: i32 = 32; // f64 z-score (NaN when not scored)
export const TRACE_FLAGS: i32 = 40; // u32 bit 0 scored, bit 1 flagged
export const TRACE_RECORD_INDEX: i32 = 44; // u32

/** Trace key (traceKeyPtr()): src 16 bytes, dst 16 bytes, u32 protocol label. */
export const TRACE_KEY_BYTES: i32 = 36;
// With CFG_TRACE_DETECTOR = DET_PORTSCAN the key's src/dst are the scanner and the target and one
// point is written per probe: TRACE_SIZE = distinct ports probed in the window after it, TRACE_MEAN
// = the threshold, bit 1 of TRACE_FLAGS = over the threshold. With DET_SYNFLOOD the key's dst is
// the victim (src ignored): one point per SYN to it, TRACE_SIZE = SYNs in the window after it.
// With DET_LATENCY the key's dst is a server and the u32 label field its port: one point per
// latency sample of that server (detect/latency.ts: TRACE_SIZE = the sample in ms, TRACE_MEAN /
// TRACE_STD = its baseline, TRACE_Z = the MEDIUM threshold, TRACE_FLAGS bits 8-15 the variant).
// With DET_SPIKE the key's dst is the destination, all-zero for the global series (src and label
// ignored): one point per closed metric window, TRACE_SIZE = its bytes/s, TRACE_MEAN = the baseline
// mean (B/s), TRACE_STD = the MEDIUM threshold, TRACE_Z = the HIGH threshold (detect/metrics.ts).
// With DET_PROTOSHIFT the key is ignored: per closed metric window one point per protocol class
// (5) and per tracked service, in that order (detect/metrics.ts): TRACE_TS_US = the window start
// (µs), TRACE_SIZE = the row's share of the window's packets (0..1), TRACE_MEAN = the baseline
// share before the window (0..1; NaN during warm-up), TRACE_STD = that baseline's std (0..1),
// TRACE_Z = the window's packets, TRACE_FLAGS bit 1 = this row flagged in this window, bits 8-15 =
// the row kind: 0..4 the classes TCP, UDP, ICMP, ICMPv6, other, 5 a service; TRACE_RECORD_INDEX =
// the service's (IP protocol << 16) | port (0 for classes).
export const PROTOSHIFT_ROW_SERVICE: i32 = 5;

// ---- packet mark (markPtr(), CFG_MARKS_ENABLED): one per packet that any rule flagged, in input
// order, MARK_STRIDE bytes; the same layout as the packed input record plus the reasons ----
export const MARK_STRIDE: i32 = 64;
export const MARK_TS_US: i32 = 0; // i64
export const MARK_SRC: i32 = 8; // 16 bytes
export const MARK_DST: i32 = 24; // 16 bytes
export const MARK_SPORT: i32 = 40; // u16
export const MARK_DPORT: i32 = 42; // u16
export const MARK_PROTO: i32 = 44; // u8 IP protocol number
export const MARK_TCP_FLAGS: i32 = 45; // u8
export const MARK_PROTO_LABEL: i32 = 46; // u16
export const MARK_WIRE_LEN: i32 = 48; // u32
export const MARK_RECORD_INDEX: i32 = 52; // u32
export const MARK_VLAN: i32 = 56; // u32
export const MARK_REASONS: i32 = 60; // u32 bit (1 << DET_*) for every rule that flagged the packet

// ---- flow window (windowPtr()): one per flow and tumbling window of CFG_FLOWWIN_WINDOW_S in which
// the flow has packets, judged by the flow rules (detect/rule-vm.ts) when the window closes
// (watermark past its end), when the flow ends (idle, evicted) or at finish(), and written only
// when at least one rule matches (every window with CFG_FLOWWIN_EMIT_ALL). FWIN_STRIDE bytes. ----
export const FWIN_STRIDE: i32 = 104;
export const FWIN_START_US: i32 = 0; // i64 window start (µs): floor(ts / window) * window
export const FWIN_FIRST_US: i32 = 8; // i64 first packet of the flow in the window
export const FWIN_LAST_US: i32 = 16; // i64 last packet of the flow in the window
export const FWIN_ORIG: i32 = 24; // 16 bytes originator address (the end that sent the flow's first packet)
export const FWIN_RESP: i32 = 40; // 16 bytes responder address
export const FWIN_ORIG_PORT: i32 = 56; // u16
export const FWIN_RESP_PORT: i32 = 58; // u16 (the server port)
export const FWIN_PROTO: i32 = 60; // u8 IP protocol number
export const FWIN_END: i32 = 61; // u8 FWIN_END_*: why the window was emitted
export const FWIN_PROTO_LABEL: i32 = 62; // u16
export const FWIN_PACKETS: i32 = 64; // u32 packets of the flow in the window, both directions
export const FWIN_SYN: i32 = 68; // u32 packets with SYN set (TCP)
export const FWIN_BYTES: i32 = 72; // f64 wire bytes, both directions
export const FWIN_DST_PORTS: i32 = 80; // u32 distinct destination ports the originator contacted in the window, over all its flows
export const FWIN_VLAN: i32 = 84; // u32
export const FWIN_FIRST_RECORD: i32 = 88; // u32 record index of the flow's first packet in the window
export const FWIN_LATE: i32 = 92; // u32 packets later than the lateness bound folded into this window
export const FWIN_RULES: i32 = 96; // u32 bit i set: enabled flow rule i (program order) matches; bytes 100-103 are 0
export const FWIN_END_CLOSED: i32 = 0; // the watermark passed the window's end
export const FWIN_END_IDLE: i32 = 1; // the flow expired (idle timeout)
export const FWIN_END_EVICTED: i32 = 2; // the flow was evicted (table at its memory cap)
export const FWIN_END_INPUT: i32 = 3; // end of input (finish())

// ---- rule inputs written by the host before reset() (all survive reset) ----
// The flow-rule program (ruleProgramReserve(bytes)): layout in src/rules/rule-program.ts.
/** Blacklist range (blacklistReserve(n) returns room for n): first and last address, 16 bytes
 *  each in the stored form (IPv4-mapped for IPv4), sorted by first address, not overlapping. */
export const BLACKLIST_RANGE_BYTES: i32 = 32;
/** Normal services (servicesPtr()): bit p of the TCP bitmap (8192 bytes) and of the UDP bitmap
 *  (8192 bytes) marks port p normal; bit n of the protocol bitmap (32 bytes) marks every port of
 *  IP protocol n normal (ICMP, ICMPv6, ...). Byte i holds ports 8i..8i+7, bit 0 the lowest. */
export const SERVICES_TCP: i32 = 0;
export const SERVICES_UDP: i32 = 8192;
export const SERVICES_PROTO: i32 = 16384;
export const SERVICES_BYTES: i32 = 16416;

// ---- detectors and severities ----
export const DET_ZSCORE: i32 = 1;
export const DET_BLACKLIST: i32 = 2;
export const DET_PORTSCAN: i32 = 3;
export const DET_SYNFLOOD: i32 = 4;
export const DET_LARGESIZE: i32 = 5;
export const DET_UNUSUAL: i32 = 6;
/** Flow rules are judged by the core on flow windows (FWIN_RULES); the host raises their alerts,
 *  the core never writes this id into an alert record. */
export const DET_FLOWRULE: i32 = 7;
/** Issue #4 behavioural detectors. SPIKE and PROTOSHIFT: detect/ (metrics helper); LATENCY:
 *  detect/latency.ts; RETRANS: detect/tcp-flow.ts; LONGCONN: detect/longconn.ts. */
export const DET_SPIKE: i32 = 8;
export const DET_LATENCY: i32 = 9;
export const DET_RETRANS: i32 = 10;
export const DET_PROTOSHIFT: i32 = 11;
export const DET_LONGCONN: i32 = 12;
/** Per-source profiles and the Isolation Forest (src/ml/, src/worker/profile.ts): raised by the
 *  host after the core finishes; the core never writes this id. */
export const DET_PROFILE: i32 = 13;
// Variants (ALERT_VARIANT).
export const PORTSCAN_PORTS: i32 = 0; // > N distinct destination ports of one target in T; AUX = probes
export const PORTSCAN_SYN: i32 = 1; // > S SYNs and > P distinct ports of one target in T; VALUE = SYNs, AUX = ports
export const PORTSCAN_HOSTS: i32 = 2; // address scan: > H distinct hosts on one port in T; AUX = probes
export const SYNFLOOD_DST: i32 = 0; // > M SYNs to one destination in T; AUX = distinct sources (estimate)
export const SYNFLOOD_SPREAD: i32 = 1; // > M SYNs to many destinations in T (no single victim); AUX = distinct destinations
export const SYNFLOOD_SLOW: i32 = 2; // low and slow: > M2 SYNs to one destination in the long window T2 (DST not over M); AUX = distinct sources (estimate)
export const LATENCY_SERVER: i32 = 0; // handshake SYN -> SYN/ACK (the server side of the RTT, seen at the capture point)
export const LATENCY_CLIENT: i32 = 1; // handshake SYN/ACK -> ACK (the client side)
export const LATENCY_RESPONSE: i32 = 2; // last client data segment -> first server data segment after it
export const RETRANS_FLOW: i32 = 0; // retransmitted data segments over data segments of one flow
export const LONGCONN_MEAN: i32 = 0; // duration above ratio x the mean duration of the service's completed flows
export const LONGCONN_IDLE: i32 = 1; // LONGCONN_MEAN with fewer than CFG_LONGCONN_IDLE_BYTES wire bytes
export const LONGCONN_LADDER: i32 = 2; // duration crossed a fixed step (10 min, 30 min, 1 h, 12 h, 24 h; Zeek long-connections)
export const SPIKE_GLOBAL: i32 = 0; // bytes/s of all packets in a metric window over its baseline (detect/metrics.ts); AUX 0
export const SPIKE_DST: i32 = 1; // bytes/s to one destination over its own baseline (AUX 0) or, before it has one, the population's (AUX 1)
export const PROTOSHIFT_PROTO: i32 = 0; // a protocol class's share of a window's packets over its baseline; AUX = class (0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other)
export const PROTOSHIFT_SERVICE: i32 = 1; // a tracked service's share; AUX = (IP protocol << 16) | responder port
export const BLACKLIST_MATCH_SRC: i32 = 1; // bit mask of the matching ends
export const BLACKLIST_MATCH_DST: i32 = 2;
export const SEV_LOW: i32 = 1;
export const SEV_MEDIUM: i32 = 2;
export const SEV_HIGH: i32 = 3;

// ---- counters (counterPtr() is an f64 array of COUNTER_COUNT) ----
export const C_BYTES_CONSUMED: i32 = 0; // input bytes consumed by the record walker
export const C_RECORDS_READ: i32 = 1; // packet records / rows seen = decoded + all skipped
export const C_PACKETS_DECODED: i32 = 2;
export const C_SKIP_TRUNCATED: i32 = 3; // caplen too short for the headers we need
export const C_SKIP_UNSUPPORTED_LINK: i32 = 4;
export const C_SKIP_NOT_IP: i32 = 5; // ARP, LLDP, STP, ... (valid, not IP)
export const C_SKIP_BAD_HEADER: i32 = 6; // IP/TCP header fields that are impossible
export const C_BYTES_DECODED: i32 = 7; // sum of wire lengths of decoded packets
export const C_FLOWS_CREATED: i32 = 8;
export const C_FLOWS_EXPIRED: i32 = 9; // idle longer than the protocol's timeout
export const C_FLOWS_EVICTED_FULL: i32 = 10; // evicted because the table hit its memory cap
export const C_FLOWS_LIVE: i32 = 11;
export const C_TS_FIRST_US: i32 = 12; // smallest packet timestamp (µs)
export const C_TS_LAST_US: i32 = 13; // largest packet timestamp (µs)
export const C_CHANNELS_LIVE: i32 = 14;
export const C_CHANNELS_EVICTED_FULL: i32 = 15;
export const C_ALERTS_ZSCORE: i32 = 16;
export const C_IPV4: i32 = 17;
export const C_IPV6: i32 = 18;
export const C_FRAGMENTS_NONFIRST: i32 = 19;
export const C_TS_OUT_OF_ORDER: i32 = 20; // packets older than the newest one seen
export const C_SECTIONS: i32 = 21; // pcapng sections (SHB)
export const C_INTERFACES: i32 = 22; // pcapng interfaces (IDB), 1 for pcap
export const C_BLOCKS_SKIPPED: i32 = 23; // pcapng blocks we do not use (NRB, ISB, DSB, custom, unknown)
export const C_TCP: i32 = 24;
export const C_UDP: i32 = 25;
export const C_ICMP: i32 = 26; // ICMP and ICMPv6
export const C_OTHER_IP: i32 = 27;
export const C_FLOW_CAPACITY: i32 = 28; // current flow table slots
export const C_FLOW_TABLE_BYTES: i32 = 29;
export const C_LINKTYPE: i32 = 30; // link type of the first interface
export const C_FORMAT: i32 = 31; // FORMAT_*
export const C_CHANNEL_CAPACITY: i32 = 32;
export const C_ALERTS_DROPPED: i32 = 33; // reserved for the worker (alerts beyond its keep limit)
export const C_INTERFACES_UNSUPPORTED: i32 = 34; // interfaces whose link type we cannot decode
export const C_ALERTS_BLACKLIST: i32 = 35; // episodes (ALERT_KIND_NEW records) per rule detector
export const C_ALERTS_PORTSCAN: i32 = 36;
export const C_ALERTS_SYNFLOOD: i32 = 37;
export const C_ALERTS_LARGESIZE: i32 = 38;
export const C_ALERTS_UNUSUAL: i32 = 39;
export const C_MARKS_BLACKLIST: i32 = 40; // evidence packets per rule detector (marked or not)
export const C_MARKS_PORTSCAN: i32 = 41;
export const C_MARKS_SYNFLOOD: i32 = 42;
export const C_MARKS_LARGESIZE: i32 = 43;
export const C_MARKS_UNUSUAL: i32 = 44;
export const C_LATE_PACKETS: i32 = 45; // packets whose flow window had already closed (more than CFG_LATENESS_S behind)
export const C_FLOW_WINDOWS: i32 = 46; // flow windows judged by the flow rules (emitted or not)
export const C_PORTSCAN_KEYS_LIVE: i32 = 47; // (scanner, target) pairs tracked
export const C_PORTSCAN_KEYS_EVICTED: i32 = 48; // pairs evicted at the memory cap
export const C_SYNFLOOD_KEYS_LIVE: i32 = 49; // destinations tracked
export const C_SYNFLOOD_KEYS_EVICTED: i32 = 50;
export const C_SOURCES_LIVE: i32 = 51; // originators tracked for FWIN_DST_PORTS
export const C_SOURCES_EVICTED: i32 = 52;
export const C_BLACKLIST_RANGES: i32 = 53; // ranges loaded at reset()
export const C_ADDRSCAN_KEYS_LIVE: i32 = 54; // (scanner, port) pairs tracked
export const C_ADDRSCAN_KEYS_EVICTED: i32 = 55;
export const C_MARKS_WRITTEN: i32 = 56; // mark records written (CFG_MARKS_ENABLED)
export const C_HANDSHAKES_COMPLETED: i32 = 57; // TCP handshakes completed (the originator's first ACK after SYN and SYN+ACK; table/flow-table.ts)
export const C_FLOW_WINDOWS_MATCHED: i32 = 58; // flow windows that matched at least one flow rule
// 60-67: metrics helper (issue #4).
export const C_ALERTS_LATENCY: i32 = 68; // LATENCY episodes
export const C_ALERTS_RETRANS: i32 = 69; // RETRANS episodes
export const C_ALERTS_LONGCONN: i32 = 70; // LONGCONN episodes (MEAN/IDLE) and ladder alerts
export const C_LATENCY_SAMPLES: i32 = 71; // latency samples taken (all variants)
export const C_LATENCY_KEYS_LIVE: i32 = 72; // servers tracked by LATENCY
export const C_LATENCY_KEYS_EVICTED: i32 = 73; // servers evicted at the memory cap
export const C_TCP_DATA_SEGMENTS: i32 = 74; // TCP data segments (payload > 0, keep-alives excluded)
export const C_TCP_RETRANSMISSIONS: i32 = 75; // of those, retransmissions (detect/tcp-flow.ts)
export const C_SERVICES_LIVE: i32 = 76; // services (protocol, server port) in the LONGCONN baseline
export const C_SERVICES_EVICTED: i32 = 77;
export const C_CONN_RECORDS: i32 = 78; // connection records written (CFG_CONN_RECORDS_ENABLED)
export const C_FLOWS_COMPLETED: i32 = 79; // flows whose duration joined the LONGCONN baseline
export const C_ALERTS_SPIKE: i32 = 60; // SPIKE episodes (ALERT_KIND_NEW records), both variants
export const C_MARKS_SPIKE: i32 = 61; // SPIKE evidence packets (marked or not)
export const C_ALERTS_PROTOSHIFT: i32 = 62; // PROTOSHIFT episodes
export const C_METRIC_WINDOWS: i32 = 63; // metric windows closed and folded into the baselines (detect/metrics.ts)
export const C_METRIC_LATE: i32 = 64; // packets older than the oldest open metric window (left out of every metric)
export const C_SPIKE_HOSTS_LIVE: i32 = 65; // destinations tracked by SPIKE_DST
export const C_SPIKE_HOSTS_EVICTED: i32 = 66; // destinations evicted at the memory cap
export const C_METRIC_SESSIONS: i32 = 67; // baseline sessions: a gap of CFG_BASELINE_WINDOWS windows or more starts a new one
// 80-83: learned-baseline export and import (detect/baseline-io.ts).
export const C_BASELINE_EXPORTED: i32 = 80; // baseline records written by the last baselineExport()
export const C_BASELINE_EXPORT_DROPPED: i32 = 81; // keyed baselines left out of the export by CFG_BASELINE_EXPORT_MAX_KEYS
export const C_BASELINE_IMPORTED: i32 = 82; // baseline records loaded at reset()
export const C_BASELINE_IMPORT_REJECTED: i32 = 83; // records reset() could not place (bad kind or values, duplicate key, table or service list full, expired)
export const COUNTER_COUNT: i32 = 84;

// ---- config ids (setConfig(id, value: f64)); defaults and sources live in assembly/config.ts ----
export const CFG_SEED: i32 = 0;
export const CFG_FLOW_CAPACITY: i32 = 1;
export const CFG_FLOW_MEMORY_CAP_BYTES: i32 = 2;
export const CFG_TCP_TIMEOUT_S: i32 = 3;
export const CFG_UDP_TIMEOUT_S: i32 = 4;
export const CFG_ICMP_TIMEOUT_S: i32 = 5;
export const CFG_OTHER_TIMEOUT_S: i32 = 6;
export const CFG_ZSCORE_WINDOW: i32 = 7;
export const CFG_ZSCORE_THRESHOLD: i32 = 8;
export const CFG_ZSCORE_MIN_SAMPLES: i32 = 9;
export const CFG_ZSCORE_MIN_STD_BYTES: i32 = 10;
export const CFG_ZSCORE_MIN_STD_FRACTION: i32 = 11;
export const CFG_ZSCORE_ENABLED: i32 = 12;
export const CFG_CHANNEL_CAPACITY: i32 = 13;
export const CFG_CHANNEL_MEMORY_CAP_BYTES: i32 = 14;
export const CFG_TRACE_ENABLED: i32 = 15;
export const CFG_INPUT_FORMAT: i32 = 16; // FORMAT_UNKNOWN = sniff pcap/pcapng; FORMAT_RECORDS = packed
export const CFG_CHUNK_BYTES: i32 = 17; // size of the input region the worker writes into
export const CFG_ALERT_CAPACITY: i32 = 18; // alerts held before STATUS_OUTPUT_FULL
export const CFG_TRACE_CAPACITY: i32 = 19; // trace points held before STATUS_OUTPUT_FULL
export const CFG_MARKS_ENABLED: i32 = 20;
export const CFG_MARK_CAPACITY: i32 = 21;
export const CFG_WINDOW_CAPACITY: i32 = 22;
export const CFG_LATENESS_S: i32 = 23;
export const CFG_BLACKLIST_ENABLED: i32 = 24;
export const CFG_PORTSCAN_ENABLED: i32 = 25;
export const CFG_PORTSCAN_PORTS: i32 = 26;
export const CFG_PORTSCAN_WINDOW_S: i32 = 27;
export const CFG_PORTSCAN_SYN_ENABLED: i32 = 28;
export const CFG_PORTSCAN_SYN_SYNS: i32 = 29;
export const CFG_PORTSCAN_SYN_PORTS: i32 = 30;
export const CFG_PORTSCAN_SYN_WINDOW_S: i32 = 31;
export const CFG_ADDRSCAN_ENABLED: i32 = 32;
export const CFG_ADDRSCAN_HOSTS: i32 = 33;
export const CFG_ADDRSCAN_WINDOW_S: i32 = 34;
export const CFG_SYNFLOOD_ENABLED: i32 = 35;
export const CFG_SYNFLOOD_SYNS: i32 = 36;
export const CFG_SYNFLOOD_WINDOW_S: i32 = 37;
export const CFG_SYNFLOOD_SPREAD_ENABLED: i32 = 38;
export const CFG_SYNFLOOD_SPREAD_SYNS: i32 = 39;
export const CFG_SYNFLOOD_SPREAD_WINDOW_S: i32 = 40;
export const CFG_LARGESIZE_ENABLED: i32 = 41;
export const CFG_LARGESIZE_BYTES: i32 = 42;
export const CFG_UNUSUAL_ENABLED: i32 = 43;
export const CFG_FLOWWIN_ENABLED: i32 = 44;
export const CFG_FLOWWIN_WINDOW_S: i32 = 45;
export const CFG_SCAN_MEMORY_CAP_BYTES: i32 = 46; // portscan + address-scan tables
export const CFG_SYNFLOOD_MEMORY_CAP_BYTES: i32 = 47;
export const CFG_SOURCE_MEMORY_CAP_BYTES: i32 = 48; // per-originator distinct-port table of flow windows
export const CFG_TRACE_DETECTOR: i32 = 49; // 0 or DET_ZSCORE: channel trace; DET_PORTSCAN / DET_SYNFLOOD / DET_SPIKE: see TRACE_KEY_BYTES
export const CFG_SYNFLOOD_SLOW_ENABLED: i32 = 50; // SYNFLOOD_SLOW, the low-and-slow tier
export const CFG_SYNFLOOD_SLOW_SYNS: i32 = 51;
export const CFG_SYNFLOOD_SLOW_WINDOW_S: i32 = 52;
export const CFG_SYNFLOOD_COMPLETED_FRACTION: i32 = 53; // completion gate of SYNFLOOD_DST and SYNFLOOD_SLOW (>= 1: off)
export const CFG_FLOWWIN_EMIT_ALL: i32 = 54; // 1: write every judged flow window, matching or not
// 56-71: metrics helper (issue #4). 72-95: LATENCY, RETRANS, LONGCONN, connection records.
export const CFG_LATENCY_ENABLED: i32 = 72;
export const CFG_LATENCY_RESPONSE_ENABLED: i32 = 73; // LATENCY_RESPONSE samples (request -> response)
export const CFG_LATENCY_SPAN: i32 = 74; // EWMA span N: alpha = 2 / (N + 1)
export const CFG_LATENCY_WARMUP: i32 = 75; // samples in a server's baseline before it is judged
export const CFG_LATENCY_MEDIUM_RATIO: i32 = 76;
export const CFG_LATENCY_HIGH_RATIO: i32 = 77;
export const CFG_LATENCY_MIN_EXCESS_MS: i32 = 78; // a sample must also exceed the mean by this much
export const CFG_LATENCY_MIN_SIGMAS: i32 = 79; // a sample must also exceed the mean by this many standard deviations
export const CFG_LATENCY_MEMORY_CAP_BYTES: i32 = 80;
export const CFG_RETRANS_ENABLED: i32 = 81;
export const CFG_RETRANS_MIN_SEGMENTS: i32 = 82;
export const CFG_RETRANS_MEDIUM: i32 = 83; // fraction of data segments
export const CFG_RETRANS_HIGH: i32 = 84;
export const CFG_LONGCONN_ENABLED: i32 = 85; // LONGCONN_MEAN / LONGCONN_IDLE
export const CFG_LONGCONN_MEDIUM_RATIO: i32 = 86;
export const CFG_LONGCONN_HIGH_RATIO: i32 = 87;
export const CFG_LONGCONN_MIN_FLOWS: i32 = 88; // completed flows of the service before judging
export const CFG_LONGCONN_MIN_DURATION_S: i32 = 89;
export const CFG_LONGCONN_IDLE_BYTES: i32 = 90;
export const CFG_LONGCONN_LADDER_ENABLED: i32 = 91;
export const CFG_LONGCONN_MEMORY_CAP_BYTES: i32 = 92;
export const CFG_CONN_RECORDS_ENABLED: i32 = 93;
export const CFG_CONN_CAPACITY: i32 = 94; // connection records held before STATUS_OUTPUT_FULL
export const CFG_RETRANS_MIN_RETRANSMISSIONS: i32 = 95; // retransmitted segments a flow needs besides the ratio
export const CFG_ZSCORE_HIGH_MIN_SAMPLES: i32 = 104; // HIGH needs this many baseline packets, an upward z and sigma above its floor (0: plain ladder)
export const CFG_ZSCORE_HIGH_MAX_FACTOR: i32 = 105; // ... and a size above this multiple of the largest in the window (with 104 > 0)
export const CFG_METRIC_WINDOW_S: i32 = 56; // metric windows of SPIKE and PROTOSHIFT (detect/metrics.ts)
export const CFG_BASELINE_WINDOWS: i32 = 57; // EWMA span N of every metric baseline (detect/baseline.ts)
export const CFG_BASELINE_WARMUP: i32 = 58;
export const CFG_SPIKE_ENABLED: i32 = 59; // SPIKE_GLOBAL
export const CFG_SPIKE_DST_ENABLED: i32 = 60; // SPIKE_DST
export const CFG_SPIKE_MEDIUM_SIGMA: i32 = 61;
export const CFG_SPIKE_HIGH_SIGMA: i32 = 62;
export const CFG_SPIKE_MIN_STD_LOG2: i32 = 63;
export const CFG_SPIKE_MIN_BPS: i32 = 64;
export const CFG_SPIKE_HIGH_MIN_BPS: i32 = 65;
export const CFG_SPIKE_MEMORY_CAP_BYTES: i32 = 66;
export const CFG_PROTOSHIFT_ENABLED: i32 = 67;
export const CFG_PROTOSHIFT_SERVICES_ENABLED: i32 = 68; // PROTOSHIFT_SERVICE
export const CFG_PROTOSHIFT_POINTS: i32 = 69;
export const CFG_PROTOSHIFT_HIGH_POINTS: i32 = 70;
export const CFG_PROTOSHIFT_MIN_PACKETS: i32 = 71;
export const CFG_BASELINE_EXPORT_MAX_KEYS: i32 = 96; // keyed baselines per table baselineExport() writes (most recently active first)
export const CFG_BASELINE_FROZEN: i32 = 97; // 1: baselines loaded at reset() are not updated by the new capture
export const CONFIG_COUNT: i32 = 128;

// ---- learned baselines (baselineExport() / baselineReserve(), detect/baseline-io.ts): fixed-stride
// records, BLREC_STRIDE bytes, little-endian. One record per baseline; the "baseline" state of
// detect/metrics.ts, latency.ts and longconn.ts (episodes and window accumulators are transient).
// Fields by kind (n = samples: windows, latency samples or completed flows; mean / s below):
//   BLREC_SPIKE_GLOBAL      all traffic: mean = EWMA of mlog2(1 + B/s) per window, s = its EWMA variance (log2 units²)
//   BLREC_SPIKE_POPULATION  the destinations' population: mean = EWMA of the per-window mean of mlog2(B/s), s = EWMA of its mean square
//   BLREC_SPIKE_DST         ADDR = destination; mean / s as SPIKE_GLOBAL; AGE_W = windows since its last packet at export (< N)
//   BLREC_PROTO_CLASS       VARIANT = class (0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other); mean = EWMA share (percent), s = EWMA variance (points²)
//   BLREC_PROTO_SERVICE     PROTO / PORT = the service; mean / s as PROTO_CLASS
//   BLREC_LATENCY_SERVER    ADDR / PORT = the server (PROTO 6), VARIANT = LATENCY_*; mean = EWMA of the samples (µs), s = EWMA variance (µs²)
//   BLREC_LONGCONN_SERVICE  PROTO / PORT = the service; mean = Welford mean of completed flows' durations (s), s = Welford M2 (s²)
// Unused fields are 0. Windowed kinds hold the state after the last window of the capture.
export const BLREC_STRIDE: i32 = 64;
export const BLREC_KIND: i32 = 0; // u8 BLREC_*
export const BLREC_VARIANT: i32 = 1; // u8 class or latency variant
export const BLREC_PORT: i32 = 2; // u16
export const BLREC_PROTO: i32 = 4; // u8 IP protocol number
export const BLREC_AGE_W: i32 = 8; // u32 windows since the last packet (SPIKE_DST)
export const BLREC_ADDR: i32 = 16; // 16 bytes
export const BLREC_N: i32 = 32; // f64 samples (a non-negative integer)
export const BLREC_MEAN: i32 = 40; // f64
export const BLREC_S: i32 = 48; // f64 variance, mean square or M2 (see above; >= 0 except POPULATION's may be any finite)
// Bytes 56-63 are 0.
export const BLREC_SPIKE_GLOBAL: i32 = 1;
export const BLREC_SPIKE_POPULATION: i32 = 2;
export const BLREC_SPIKE_DST: i32 = 3;
export const BLREC_PROTO_CLASS: i32 = 4;
export const BLREC_PROTO_SERVICE: i32 = 5;
export const BLREC_LATENCY_SERVER: i32 = 6;
export const BLREC_LONGCONN_SERVICE: i32 = 7;
export const BLREC_KINDS: i32 = 8; // kinds are 1 .. BLREC_KINDS - 1

/** Node names from CSV/JSON are mapped into 100::/64 (RFC 6666 discard-only prefix): byte 0 is
 * 0x01, bytes 1-11 are 0, bytes 12-15 hold the name's interned id, big-endian. */
export const NODE_PREFIX_BYTE0: i32 = 0x01;

// ---- flow table slots (flowTablePtr(), flowTableSlots() slots of FLOW_STRIDE bytes), read-only
// for the host; a slot whose FLOW_HASH is 0 is empty. Ends are in canonical (lo, hi) order. ----
export const FLOW_STRIDE: i32 = 320;
export const FLOW_HASH: i32 = 0; // u32 stored hash, 0 = empty slot
export const FLOW_ORIG_IS_LO: i32 = 4; // u32 bit 0: 1 when orig (first sender) is the lo end
export const FLOW_LAST_US: i32 = 8; // i64 newest packet time (µs)
export const FLOW_LO_ADDR: i32 = 16; // 16 bytes
export const FLOW_HI_ADDR: i32 = 32; // 16 bytes
export const FLOW_LO_PORT: i32 = 48; // u16 (ICMP: type, or the counterpart/code)
export const FLOW_HI_PORT: i32 = 50; // u16
export const FLOW_PROTO: i32 = 52; // u32 IP protocol number
export const FLOW_VLAN: i32 = 56; // u32
export const FLOW_FLAGS_ORIG: i32 = 60; // u8 OR of TCP flags sent by orig
export const FLOW_FLAGS_RESP: i32 = 61; // u8 OR of TCP flags sent by resp
export const FLOW_FIRST_US: i32 = 64; // i64 oldest packet time (µs)
export const FLOW_PKTS_ORIG: i32 = 72; // u32
export const FLOW_PKTS_RESP: i32 = 76; // u32
export const FLOW_BYTES_ORIG: i32 = 80; // u64 wire bytes
export const FLOW_BYTES_RESP: i32 = 88; // u64
export const FLOW_SYN: i32 = 96; // u32 packets with SYN, either direction
export const FLOW_FIN: i32 = 100; // u32
export const FLOW_RST: i32 = 104; // u32
export const FLOW_ACK: i32 = 108; // u32
export const FLOW_PSH: i32 = 112; // u32
export const FLOW_URG: i32 = 116; // u32
export const FLOW_ECE: i32 = 120; // u16
export const FLOW_CWR: i32 = 122; // u16
// Bytes 124-159: per-flow rule state (detect/flow-rules.ts); 160-255: the two open flow windows
// (detect/flow-window.ts); 256-319: per-flow TCP and connection state (detect/tcp-flow.ts, one
// cache line, zero for a new flow). Internal: their layout is not part of the ABI. 256-319:
//   256 u32 next expected sequence number sent by orig (highest seq + payload + SYN + FIN seen),
//   260 u32 the same for resp, 264/268 u32 low 32 bits of the µs time of orig's/resp's previous
//   segment (Wireshark's out-of-order window), 272 u32 data segments (both directions), 276 u32
//   retransmitted data segments, 280/284 u32 new payload bytes sent by orig/resp (mod 2^32),
//   288 u32 time (low 32 bits of µs) of orig's last SYN, then the full handshake RTT in µs,
//   292 u32 time of resp's last SYN/ACK, 296 u32 time of orig's last data segment (request),
//   300 u32 record index of the packet that created the flow, 304 u32 flow duration (ms) at which
//   LONGCONN judges the flow next, 308 u32 RETRANS episode, 312 u32 LONGCONN episode, 316 u8 TCP
//   flags (sequence numbers known per direction, RTT known, server sample taken, waiting for a
//   response, request was a retransmission), 317 u8 LONGCONN state (ladder steps reported, level,
//   counted in the service baseline), 318 u8 RETRANS state (level, judged), 319 u8 re-send state per direction (zero window advertised; data overran a zero window or was quoted in ICMP packet too big, until acknowledged).

// ---- connection records (connPtr(), conns()): one per flow end (idle, evicted, end of input),
// CFG_CONN_RECORDS_ENABLED; CONN_STRIDE bytes, written by detect/conn.ts. Zeek conn.log-like. ----
export const CONN_STRIDE: i32 = 128;
export const CONN_FIRST_US: i32 = 0; // i64 first packet time (µs)
export const CONN_LAST_US: i32 = 8; // i64 last packet time (µs)
export const CONN_ORIG: i32 = 16; // 16 bytes originator address (sent the first packet)
export const CONN_RESP: i32 = 32; // 16 bytes responder address
export const CONN_ORIG_PORT: i32 = 48; // u16 (ICMP: type)
export const CONN_RESP_PORT: i32 = 50; // u16 (ICMP: the type's counterpart or code)
export const CONN_PROTO: i32 = 52; // u8 IP protocol number
export const CONN_STATE: i32 = 53; // u8 CONN_STATE_* (Zeek conn_state, approximated: detect/conn.ts)
export const CONN_END: i32 = 54; // u8 FWIN_END_IDLE / FWIN_END_EVICTED / FWIN_END_INPUT
export const CONN_FLAGS_ORIG: i32 = 55; // u8 OR of the TCP flags orig sent
export const CONN_FLAGS_RESP: i32 = 56; // u8 OR of the TCP flags resp sent
export const CONN_VLAN: i32 = 60; // u32
export const CONN_PKTS_ORIG: i32 = 64; // u32
export const CONN_PKTS_RESP: i32 = 68; // u32
export const CONN_BYTES_ORIG: i32 = 72; // f64 wire bytes orig sent
export const CONN_BYTES_RESP: i32 = 80; // f64
export const CONN_PAYLOAD_ORIG: i32 = 88; // f64 payload bytes orig sent (TCP: new sequence space only, retransmissions not counted again; mod 2^32)
export const CONN_PAYLOAD_RESP: i32 = 96; // f64
export const CONN_FIRST_RECORD: i32 = 104; // u32 record index of the packet that created the flow
export const CONN_DATA_SEGMENTS: i32 = 108; // u32 TCP data segments, both directions
export const CONN_RETRANSMISSIONS: i32 = 112; // u32 of those, retransmissions
export const CONN_RTT_US: i32 = 116; // u32 TCP handshake RTT SYN -> ACK as seen at the capture point, µs; 0xffffffff unknown
// Bytes 120-127 are 0.
export const CONN_STATE_OTH: i32 = 0;
export const CONN_STATE_S0: i32 = 1;
export const CONN_STATE_S1: i32 = 2;
export const CONN_STATE_SF: i32 = 3;
export const CONN_STATE_REJ: i32 = 4;
export const CONN_STATE_S2: i32 = 5;
export const CONN_STATE_S3: i32 = 6;
export const CONN_STATE_RSTO: i32 = 7;
export const CONN_STATE_RSTR: i32 = 8;
export const CONN_STATE_RSTOS0: i32 = 9;
export const CONN_STATE_RSTRH: i32 = 10;
export const CONN_STATE_SH: i32 = 11;
export const CONN_STATE_SHR: i32 = 12;

// ---- traffic timeline (timelinePtr(): timelineBins() records of TL_STRIDE bytes; detect/timeline.ts) ----
export const TL_MAX_BINS: i32 = 2048; // bins kept at most; the bin width doubles (neighbours merged) beyond
export const TL_INITIAL_BIN_US: i32 = 1000; // width of a bin before any merge, µs (1 ms)
export const TL_CLASSES: i32 = 5; // protocol classes: 0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other (PROTOSHIFT's order)
export const TL_STRIDE: i32 = 80; // 10 f64 per bin (a bin's totals are the sums over its classes)
export const TL_CLASS_PACKETS: i32 = 0; // f64[TL_CLASSES] decoded packets per class
export const TL_CLASS_BYTES: i32 = 40; // f64[TL_CLASSES] their wire bytes per class
