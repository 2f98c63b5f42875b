// TypeScript mirror of assembly/abi.ts (the binary contract with the WASM core). Edit both together;
// test/shared/abi-mirror.test.ts fails when a constant differs.
// Never reorder or reuse an id; append new ones.

// ---- status codes returned by process() / finish() ----
/** The core consumed all complete records; write more input (or call finish()). */
export const STATUS_NEED_INPUT = 0;
/** The alert or trace region is full; drain it (clearOutput()) and call process() again. */
export const STATUS_OUTPUT_FULL = 1;
/** A fatal format error; see errorCode()/errorOffset(). Everything before the fault is kept. */
export const STATUS_ERROR = 2;
/** finish() only: the stream ended cleanly. */
export const STATUS_DONE = 3;

// ---- fatal error codes (errorCode()) ----
export const ERR_NONE = 0;
/** The first bytes are neither pcap, pcapng nor a packed-record stream. */
export const ERR_NOT_A_CAPTURE = 1;
/** A file or section header is malformed (bad version, bad length, bad option). */
export const ERR_BAD_FILE_HEADER = 2;
/** A record or block header is malformed (caplen too large, block length not a multiple of 4, ...). */
export const ERR_BAD_RECORD_HEADER = 3;
/** The stream ends in the middle of a header or record (errorOffset() is where that record starts). */
export const ERR_TRUNCATED = 4;
/** A packet block references an interface that was never described (no IDB). */
export const ERR_NO_INTERFACE = 5;
/** Every interface of the capture uses a link type we cannot decode (set at finish()). */
export const ERR_UNSUPPORTED_LINKTYPE = 6;

// ---- input formats (counter C_FORMAT) ----
export const FORMAT_UNKNOWN = 0;
export const FORMAT_PCAP = 1;
export const FORMAT_PCAPNG = 2;
/** Fixed-size packed records (REC_*), produced by src/io from CSV/JSON rows. */
export const FORMAT_RECORDS = 3;

// ---- packed input record (FORMAT_RECORDS), little-endian, REC_STRIDE bytes ----
export const REC_STRIDE = 64;
/** i64 timestamp, microseconds since the Unix epoch. */
export const REC_TS_US = 0;
/** 16-byte source address (IPv6, or IPv4-mapped ::ffff:a.b.c.d, or a node name id in NODE_PREFIX). */
export const REC_SRC = 8;
export const REC_DST = 24;
export const REC_SPORT = 40; // u16
export const REC_DPORT = 42; // u16
export const REC_PROTO = 44; // u8 IP protocol number (0 when unknown)
export const REC_TCP_FLAGS = 45; // u8 TCP flags byte (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128)
/** u16 channel protocol label: 0-255 an IP protocol number, 256+ an interned protocol name. */
export const REC_PROTO_LABEL = 46;
export const REC_WIRE_LEN = 48; // u32 packet size in bytes
export const REC_INDEX = 52; // u32 0-based row index in the source file
export const REC_VLAN = 56; // u32 (outer VLAN id << 12) | inner VLAN id

// ---- alert record (alertPtr()), ALERT_STRIDE bytes ----
export const ALERT_STRIDE = 160;
export const ALERT_TS_US = 0; // i64
export const ALERT_SRC = 8; // 16 bytes
export const ALERT_DST = 24; // 16 bytes
export const ALERT_SPORT = 40; // u16
export const ALERT_DPORT = 42; // u16
export const ALERT_PROTO_LABEL = 44; // u16 (see REC_PROTO_LABEL)
export const ALERT_DETECTOR = 46; // u8 DET_*
export const ALERT_SEVERITY = 47; // u8 SEV_*
export const ALERT_SIZE = 48; // u32 packet size in bytes
export const ALERT_RECORD_INDEX = 52; // u32 0-based record (packet or row) index in the input
export const ALERT_SCORE = 56; // f64 detector score (z-score for DET_ZSCORE, signed)
export const ALERT_MEAN = 64; // f64 baseline mean (bytes)
export const ALERT_STD = 72; // f64 baseline standard deviation before the floor (bytes)
export const ALERT_SAMPLES = 80; // u32 number of packets in the baseline
export const ALERT_VLAN = 84; // u32
export const ALERT_RECORD_OFFSET = 88; // f64 byte offset of the record in the (decompressed) stream
// Fields below: every detector. Single-packet alerts (z-score) have ALERT_EPISODE 0 and LAST = TS.
// An episode alert (rule detectors) is written twice: ALERT_KIND_NEW when its condition first
// holds (TS = that packet), and ALERT_KIND_UPDATE when the episode ends (quiet for the rule's
// window, flow end, or end of input) with the whole record re-filled (TS and RECORD_INDEX still
// the first packet's) and LAST/VALUE/COUNT/PEAK_RATE/AUX final. The host keys rows by EPISODE.
export const ALERT_LAST_US = 96; // i64 last evidence packet time (µs)
export const ALERT_VALUE = 104; // f64 the measured number (peak over the episode): distinct ports, SYNs in window, bytes, ...
export const ALERT_THRESHOLD = 112; // f64 the threshold VALUE had to exceed
export const ALERT_WINDOW_S = 120; // f64 the rule's sliding window, seconds (0 when none)
export const ALERT_COUNT = 128; // f64 evidence packets in the episode so far
export const ALERT_PEAK_RATE = 136; // f64 peak evidence packets per second (1-s bins of packet time)
export const ALERT_EPISODE = 144; // u32 episode id, unique per analysis, 0 for single-packet alerts
export const ALERT_KIND = 148; // u8 ALERT_KIND_*
export const ALERT_VARIANT = 149; // u8 detector variant (PORTSCAN_*, SYNFLOOD_*, BLACKLIST_MATCH_*)
export const ALERT_AUX = 152; // f64 variant-specific second number (see the detector's header comment)
export const ALERT_KIND_NEW = 0;
export const ALERT_KIND_UPDATE = 1;

// ---- channel trace point (tracePtr()), TRACE_STRIDE bytes: every packet of the traced channel ----
export const TRACE_STRIDE = 48;
export const TRACE_TS_US = 0; // i64
export const TRACE_SIZE = 8; // f64 bytes
export const TRACE_MEAN = 16; // f64 baseline mean before this packet (NaN when not scored)
export const TRACE_STD = 24; // f64 effective std (after the floor) before this packet (NaN when not scored)
export const TRACE_Z = 32; // f64 z-score (NaN when not scored)
export const TRACE_FLAGS = 40; // u32 bit 0 scored, bit 1 flagged
export const TRACE_RECORD_INDEX = 44; // u32

/** Trace key (traceKeyPtr()): src 16 bytes, dst 16 bytes, u32 protocol label. */
export const TRACE_KEY_BYTES = 36;
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
export const PROTOSHIFT_ROW_SERVICE = 5;

// ---- packet mark (markPtr(), CFG_MARKS_ENABLED): one per packet that any rule flagged, in input
// order, MARK_STRIDE bytes; the same layout as the packed input record plus the reasons ----
export const MARK_STRIDE = 64;
export const MARK_TS_US = 0; // i64
export const MARK_SRC = 8; // 16 bytes
export const MARK_DST = 24; // 16 bytes
export const MARK_SPORT = 40; // u16
export const MARK_DPORT = 42; // u16
export const MARK_PROTO = 44; // u8 IP protocol number
export const MARK_TCP_FLAGS = 45; // u8
export const MARK_PROTO_LABEL = 46; // u16
export const MARK_WIRE_LEN = 48; // u32
export const MARK_RECORD_INDEX = 52; // u32
export const MARK_VLAN = 56; // u32
export const MARK_REASONS = 60; // u32 bit (1 << DET_*) for every rule that flagged the packet

// ---- flow window (windowPtr()): one per flow and tumbling window of CFG_FLOWWIN_WINDOW_S in which
// the flow has packets, judged by the flow rules (detect/rule-vm.ts) when the window closes
// (watermark past its end), when the flow ends (idle, evicted) or at finish(), and written only
// when at least one rule matches (every window with CFG_FLOWWIN_EMIT_ALL). FWIN_STRIDE bytes. ----
export const FWIN_STRIDE = 104;
export const FWIN_START_US = 0; // i64 window start (µs): floor(ts / window) * window
export const FWIN_FIRST_US = 8; // i64 first packet of the flow in the window
export const FWIN_LAST_US = 16; // i64 last packet of the flow in the window
export const FWIN_ORIG = 24; // 16 bytes originator address (the end that sent the flow's first packet)
export const FWIN_RESP = 40; // 16 bytes responder address
export const FWIN_ORIG_PORT = 56; // u16
export const FWIN_RESP_PORT = 58; // u16 (the server port)
export const FWIN_PROTO = 60; // u8 IP protocol number
export const FWIN_END = 61; // u8 FWIN_END_*: why the window was emitted
export const FWIN_PROTO_LABEL = 62; // u16
export const FWIN_PACKETS = 64; // u32 packets of the flow in the window, both directions
export const FWIN_SYN = 68; // u32 packets with SYN set (TCP)
export const FWIN_BYTES = 72; // f64 wire bytes, both directions
export const FWIN_DST_PORTS = 80; // u32 distinct destination ports the originator contacted in the window, over all its flows
export const FWIN_VLAN = 84; // u32
export const FWIN_FIRST_RECORD = 88; // u32 record index of the flow's first packet in the window
export const FWIN_LATE = 92; // u32 packets later than the lateness bound folded into this window
export const FWIN_RULES = 96; // u32 bit i set: enabled flow rule i (program order) matches; bytes 100-103 are 0
export const FWIN_END_CLOSED = 0; // the watermark passed the window's end
export const FWIN_END_IDLE = 1; // the flow expired (idle timeout)
export const FWIN_END_EVICTED = 2; // the flow was evicted (table at its memory cap)
export const FWIN_END_INPUT = 3; // end of input (finish())

// ---- rule inputs written by the host before reset() (all survive reset) ----
// The flow-rule program (ruleProgramReserve(bytes)): layout in src/rules/rule-program.ts.
/** Blacklist range (blacklistReserve(n) returns room for n): first and last address, 16 bytes
 *  each in the stored form (IPv4-mapped for IPv4), sorted by first address, not overlapping. */
export const BLACKLIST_RANGE_BYTES = 32;
/** Normal services (servicesPtr()): bit p of the TCP bitmap (8192 bytes) and of the UDP bitmap
 *  (8192 bytes) marks port p normal; bit n of the protocol bitmap (32 bytes) marks every port of
 *  IP protocol n normal (ICMP, ICMPv6, ...). Byte i holds ports 8i..8i+7, bit 0 the lowest. */
export const SERVICES_TCP = 0;
export const SERVICES_UDP = 8192;
export const SERVICES_PROTO = 16384;
export const SERVICES_BYTES = 16416;

// ---- detectors and severities ----
export const DET_ZSCORE = 1;
export const DET_BLACKLIST = 2;
export const DET_PORTSCAN = 3;
export const DET_SYNFLOOD = 4;
export const DET_LARGESIZE = 5;
export const DET_UNUSUAL = 6;
/** Flow rules are judged by the core on flow windows (FWIN_RULES); the host raises their alerts,
 *  the core never writes this id into an alert record. */
export const DET_FLOWRULE = 7;
/** Issue #4 behavioural detectors. SPIKE and PROTOSHIFT: detect/ (metrics helper); LATENCY:
 *  detect/latency.ts; RETRANS: detect/tcp-flow.ts; LONGCONN: detect/longconn.ts. */
export const DET_SPIKE = 8;
export const DET_LATENCY = 9;
export const DET_RETRANS = 10;
export const DET_PROTOSHIFT = 11;
export const DET_LONGCONN = 12;
/** Per-source profiles and the Isolation Forest (src/ml/, src/worker/profile.ts): raised by the
 *  host after the core finishes; the core never writes this id. */
export const DET_PROFILE = 13;
// Variants (ALERT_VARIANT).
export const PORTSCAN_PORTS = 0; // > N distinct destination ports of one target in T; AUX = probes
export const PORTSCAN_SYN = 1; // > S SYNs and > P distinct ports of one target in T; VALUE = SYNs, AUX = ports
export const PORTSCAN_HOSTS = 2; // address scan: > H distinct hosts on one port in T; AUX = probes
export const SYNFLOOD_DST = 0; // > M SYNs to one destination in T; AUX = distinct sources (estimate)
export const SYNFLOOD_SPREAD = 1; // > M SYNs to many destinations in T (no single victim); AUX = distinct destinations
export const SYNFLOOD_SLOW = 2; // low and slow: > M2 SYNs to one destination in the long window T2 (DST not over M); AUX = distinct sources (estimate)
export const LATENCY_SERVER = 0; // handshake SYN -> SYN/ACK (the server side of the RTT, seen at the capture point)
export const LATENCY_CLIENT = 1; // handshake SYN/ACK -> ACK (the client side)
export const LATENCY_RESPONSE = 2; // last client data segment -> first server data segment after it
export const RETRANS_FLOW = 0; // retransmitted data segments over data segments of one flow
export const LONGCONN_MEAN = 0; // duration above ratio x the mean duration of the service's completed flows
export const LONGCONN_IDLE = 1; // LONGCONN_MEAN with fewer than CFG_LONGCONN_IDLE_BYTES wire bytes
export const LONGCONN_LADDER = 2; // duration crossed a fixed step (10 min, 30 min, 1 h, 12 h, 24 h; Zeek long-connections)
export const SPIKE_GLOBAL = 0; // bytes/s of all packets in a metric window over its baseline (detect/metrics.ts); AUX 0
export const SPIKE_DST = 1; // bytes/s to one destination over its own baseline (AUX 0) or, before it has one, the population's (AUX 1)
export const PROTOSHIFT_PROTO = 0; // a protocol class's share of a window's packets over its baseline; AUX = class (0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other)
export const PROTOSHIFT_SERVICE = 1; // a tracked service's share; AUX = (IP protocol << 16) | responder port
export const BLACKLIST_MATCH_SRC = 1; // bit mask of the matching ends
export const BLACKLIST_MATCH_DST = 2;
export const SEV_LOW = 1;
export const SEV_MEDIUM = 2;
export const SEV_HIGH = 3;

// ---- counters (counterPtr() is an f64 array of COUNTER_COUNT) ----
export const C_BYTES_CONSUMED = 0; // input bytes consumed by the record walker
export const C_RECORDS_READ = 1; // packet records / rows seen = decoded + all skipped
export const C_PACKETS_DECODED = 2;
export const C_SKIP_TRUNCATED = 3; // caplen too short for the headers we need
export const C_SKIP_UNSUPPORTED_LINK = 4;
export const C_SKIP_NOT_IP = 5; // ARP, LLDP, STP, ... (valid, not IP)
export const C_SKIP_BAD_HEADER = 6; // IP/TCP header fields that are impossible
export const C_BYTES_DECODED = 7; // sum of wire lengths of decoded packets
export const C_FLOWS_CREATED = 8;
export const C_FLOWS_EXPIRED = 9; // idle longer than the protocol's timeout
export const C_FLOWS_EVICTED_FULL = 10; // evicted because the table hit its memory cap
export const C_FLOWS_LIVE = 11;
export const C_TS_FIRST_US = 12; // smallest packet timestamp (µs)
export const C_TS_LAST_US = 13; // largest packet timestamp (µs)
export const C_CHANNELS_LIVE = 14;
export const C_CHANNELS_EVICTED_FULL = 15;
export const C_ALERTS_ZSCORE = 16;
export const C_IPV4 = 17;
export const C_IPV6 = 18;
export const C_FRAGMENTS_NONFIRST = 19;
export const C_TS_OUT_OF_ORDER = 20; // packets older than the newest one seen
export const C_SECTIONS = 21; // pcapng sections (SHB)
export const C_INTERFACES = 22; // pcapng interfaces (IDB), 1 for pcap
export const C_BLOCKS_SKIPPED = 23; // pcapng blocks we do not use (NRB, ISB, DSB, custom, unknown)
export const C_TCP = 24;
export const C_UDP = 25;
export const C_ICMP = 26; // ICMP and ICMPv6
export const C_OTHER_IP = 27;
export const C_FLOW_CAPACITY = 28; // current flow table slots
export const C_FLOW_TABLE_BYTES = 29;
export const C_LINKTYPE = 30; // link type of the first interface
export const C_FORMAT = 31; // FORMAT_*
export const C_CHANNEL_CAPACITY = 32;
export const C_ALERTS_DROPPED = 33; // reserved for the worker (alerts beyond its keep limit)
export const C_INTERFACES_UNSUPPORTED = 34; // interfaces whose link type we cannot decode
export const C_ALERTS_BLACKLIST = 35; // episodes (ALERT_KIND_NEW records) per rule detector
export const C_ALERTS_PORTSCAN = 36;
export const C_ALERTS_SYNFLOOD = 37;
export const C_ALERTS_LARGESIZE = 38;
export const C_ALERTS_UNUSUAL = 39;
export const C_MARKS_BLACKLIST = 40; // evidence packets per rule detector (marked or not)
export const C_MARKS_PORTSCAN = 41;
export const C_MARKS_SYNFLOOD = 42;
export const C_MARKS_LARGESIZE = 43;
export const C_MARKS_UNUSUAL = 44;
export const C_LATE_PACKETS = 45; // packets whose flow window had already closed (more than CFG_LATENESS_S behind)
export const C_FLOW_WINDOWS = 46; // flow windows judged by the flow rules (emitted or not)
export const C_PORTSCAN_KEYS_LIVE = 47; // (scanner, target) pairs tracked
export const C_PORTSCAN_KEYS_EVICTED = 48; // pairs evicted at the memory cap
export const C_SYNFLOOD_KEYS_LIVE = 49; // destinations tracked
export const C_SYNFLOOD_KEYS_EVICTED = 50;
export const C_SOURCES_LIVE = 51; // originators tracked for FWIN_DST_PORTS
export const C_SOURCES_EVICTED = 52;
export const C_BLACKLIST_RANGES = 53; // ranges loaded at reset()
export const C_ADDRSCAN_KEYS_LIVE = 54; // (scanner, port) pairs tracked
export const C_ADDRSCAN_KEYS_EVICTED = 55;
export const C_MARKS_WRITTEN = 56; // mark records written (CFG_MARKS_ENABLED)
export const C_HANDSHAKES_COMPLETED = 57; // TCP handshakes completed (the originator's first ACK after SYN and SYN+ACK; table/flow-table.ts)
export const C_FLOW_WINDOWS_MATCHED = 58; // flow windows that matched at least one flow rule
// 60-67: metrics helper (issue #4).
export const C_ALERTS_LATENCY = 68; // LATENCY episodes
export const C_ALERTS_RETRANS = 69; // RETRANS episodes
export const C_ALERTS_LONGCONN = 70; // LONGCONN episodes (MEAN/IDLE) and ladder alerts
export const C_LATENCY_SAMPLES = 71; // latency samples taken (all variants)
export const C_LATENCY_KEYS_LIVE = 72; // servers tracked by LATENCY
export const C_LATENCY_KEYS_EVICTED = 73; // servers evicted at the memory cap
export const C_TCP_DATA_SEGMENTS = 74; // TCP data segments (payload > 0, keep-alives excluded)
export const C_TCP_RETRANSMISSIONS = 75; // of those, retransmissions (detect/tcp-flow.ts)
export const C_SERVICES_LIVE = 76; // services (protocol, server port) in the LONGCONN baseline
export const C_SERVICES_EVICTED = 77;
export const C_CONN_RECORDS = 78; // connection records written (CFG_CONN_RECORDS_ENABLED)
export const C_FLOWS_COMPLETED = 79; // flows whose duration joined the LONGCONN baseline
export const C_ALERTS_SPIKE = 60; // SPIKE episodes (ALERT_KIND_NEW records), both variants
export const C_MARKS_SPIKE = 61; // SPIKE evidence packets (marked or not)
export const C_ALERTS_PROTOSHIFT = 62; // PROTOSHIFT episodes
export const C_METRIC_WINDOWS = 63; // metric windows closed and folded into the baselines (detect/metrics.ts)
export const C_METRIC_LATE = 64; // packets older than the oldest open metric window (left out of every metric)
export const C_SPIKE_HOSTS_LIVE = 65; // destinations tracked by SPIKE_DST
export const C_SPIKE_HOSTS_EVICTED = 66; // destinations evicted at the memory cap
export const C_METRIC_SESSIONS = 67; // baseline sessions: a gap of CFG_BASELINE_WINDOWS windows or more starts a new one
// 80-83: learned-baseline export and import (detect/baseline-io.ts).
export const C_BASELINE_EXPORTED = 80; // baseline records written by the last baselineExport()
export const C_BASELINE_EXPORT_DROPPED = 81; // keyed baselines left out of the export by CFG_BASELINE_EXPORT_MAX_KEYS
export const C_BASELINE_IMPORTED = 82; // baseline records loaded at reset()
export const C_BASELINE_IMPORT_REJECTED = 83; // records reset() could not place (bad kind or values, duplicate key, table or service list full, expired)
export const COUNTER_COUNT = 84;

// ---- config ids (setConfig(id, value: f64)); defaults and sources live in assembly/config.ts ----
export const CFG_SEED = 0;
export const CFG_FLOW_CAPACITY = 1;
export const CFG_FLOW_MEMORY_CAP_BYTES = 2;
export const CFG_TCP_TIMEOUT_S = 3;
export const CFG_UDP_TIMEOUT_S = 4;
export const CFG_ICMP_TIMEOUT_S = 5;
export const CFG_OTHER_TIMEOUT_S = 6;
export const CFG_ZSCORE_WINDOW = 7;
export const CFG_ZSCORE_THRESHOLD = 8;
export const CFG_ZSCORE_MIN_SAMPLES = 9;
export const CFG_ZSCORE_MIN_STD_BYTES = 10;
export const CFG_ZSCORE_MIN_STD_FRACTION = 11;
export const CFG_ZSCORE_ENABLED = 12;
export const CFG_CHANNEL_CAPACITY = 13;
export const CFG_CHANNEL_MEMORY_CAP_BYTES = 14;
export const CFG_TRACE_ENABLED = 15;
export const CFG_INPUT_FORMAT = 16; // FORMAT_UNKNOWN = sniff pcap/pcapng; FORMAT_RECORDS = packed
export const CFG_CHUNK_BYTES = 17; // size of the input region the worker writes into
export const CFG_ALERT_CAPACITY = 18; // alerts held before STATUS_OUTPUT_FULL
export const CFG_TRACE_CAPACITY = 19; // trace points held before STATUS_OUTPUT_FULL
export const CFG_MARKS_ENABLED = 20;
export const CFG_MARK_CAPACITY = 21;
export const CFG_WINDOW_CAPACITY = 22;
export const CFG_LATENESS_S = 23;
export const CFG_BLACKLIST_ENABLED = 24;
export const CFG_PORTSCAN_ENABLED = 25;
export const CFG_PORTSCAN_PORTS = 26;
export const CFG_PORTSCAN_WINDOW_S = 27;
export const CFG_PORTSCAN_SYN_ENABLED = 28;
export const CFG_PORTSCAN_SYN_SYNS = 29;
export const CFG_PORTSCAN_SYN_PORTS = 30;
export const CFG_PORTSCAN_SYN_WINDOW_S = 31;
export const CFG_ADDRSCAN_ENABLED = 32;
export const CFG_ADDRSCAN_HOSTS = 33;
export const CFG_ADDRSCAN_WINDOW_S = 34;
export const CFG_SYNFLOOD_ENABLED = 35;
export const CFG_SYNFLOOD_SYNS = 36;
export const CFG_SYNFLOOD_WINDOW_S = 37;
export const CFG_SYNFLOOD_SPREAD_ENABLED = 38;
export const CFG_SYNFLOOD_SPREAD_SYNS = 39;
export const CFG_SYNFLOOD_SPREAD_WINDOW_S = 40;
export const CFG_LARGESIZE_ENABLED = 41;
export const CFG_LARGESIZE_BYTES = 42;
export const CFG_UNUSUAL_ENABLED = 43;
export const CFG_FLOWWIN_ENABLED = 44;
export const CFG_FLOWWIN_WINDOW_S = 45;
export const CFG_SCAN_MEMORY_CAP_BYTES = 46; // portscan + address-scan tables
export const CFG_SYNFLOOD_MEMORY_CAP_BYTES = 47;
export const CFG_SOURCE_MEMORY_CAP_BYTES = 48; // per-originator distinct-port table of flow windows
export const CFG_TRACE_DETECTOR = 49; // 0 or DET_ZSCORE: channel trace; DET_PORTSCAN / DET_SYNFLOOD / DET_SPIKE: see TRACE_KEY_BYTES
export const CFG_SYNFLOOD_SLOW_ENABLED = 50; // SYNFLOOD_SLOW, the low-and-slow tier
export const CFG_SYNFLOOD_SLOW_SYNS = 51;
export const CFG_SYNFLOOD_SLOW_WINDOW_S = 52;
export const CFG_SYNFLOOD_COMPLETED_FRACTION = 53; // completion gate of SYNFLOOD_DST and SYNFLOOD_SLOW (>= 1: off)
export const CFG_FLOWWIN_EMIT_ALL = 54; // 1: write every judged flow window, matching or not
// 56-71: metrics helper (issue #4). 72-95: LATENCY, RETRANS, LONGCONN, connection records.
export const CFG_LATENCY_ENABLED = 72;
export const CFG_LATENCY_RESPONSE_ENABLED = 73; // LATENCY_RESPONSE samples (request -> response)
export const CFG_LATENCY_SPAN = 74; // EWMA span N: alpha = 2 / (N + 1)
export const CFG_LATENCY_WARMUP = 75; // samples in a server's baseline before it is judged
export const CFG_LATENCY_MEDIUM_RATIO = 76;
export const CFG_LATENCY_HIGH_RATIO = 77;
export const CFG_LATENCY_MIN_EXCESS_MS = 78; // a sample must also exceed the mean by this much
export const CFG_LATENCY_MIN_SIGMAS = 79; // a sample must also exceed the mean by this many standard deviations
export const CFG_LATENCY_MEMORY_CAP_BYTES = 80;
export const CFG_RETRANS_ENABLED = 81;
export const CFG_RETRANS_MIN_SEGMENTS = 82;
export const CFG_RETRANS_MEDIUM = 83; // fraction of data segments
export const CFG_RETRANS_HIGH = 84;
export const CFG_LONGCONN_ENABLED = 85; // LONGCONN_MEAN / LONGCONN_IDLE
export const CFG_LONGCONN_MEDIUM_RATIO = 86;
export const CFG_LONGCONN_HIGH_RATIO = 87;
export const CFG_LONGCONN_MIN_FLOWS = 88; // completed flows of the service before judging
export const CFG_LONGCONN_MIN_DURATION_S = 89;
export const CFG_LONGCONN_IDLE_BYTES = 90;
export const CFG_LONGCONN_LADDER_ENABLED = 91;
export const CFG_LONGCONN_MEMORY_CAP_BYTES = 92;
export const CFG_CONN_RECORDS_ENABLED = 93;
export const CFG_CONN_CAPACITY = 94; // connection records held before STATUS_OUTPUT_FULL
export const CFG_RETRANS_MIN_RETRANSMISSIONS = 95; // retransmitted segments a flow needs besides the ratio
export const CFG_ZSCORE_HIGH_MIN_SAMPLES = 104; // HIGH needs this many baseline packets, an upward z and sigma above its floor (0: plain ladder)
export const CFG_ZSCORE_HIGH_MAX_FACTOR = 105; // ... and a size above this multiple of the largest in the window (with 104 > 0)
export const CFG_METRIC_WINDOW_S = 56; // metric windows of SPIKE and PROTOSHIFT (detect/metrics.ts)
export const CFG_BASELINE_WINDOWS = 57; // EWMA span N of every metric baseline (detect/baseline.ts)
export const CFG_BASELINE_WARMUP = 58;
export const CFG_SPIKE_ENABLED = 59; // SPIKE_GLOBAL
export const CFG_SPIKE_DST_ENABLED = 60; // SPIKE_DST
export const CFG_SPIKE_MEDIUM_SIGMA = 61;
export const CFG_SPIKE_HIGH_SIGMA = 62;
export const CFG_SPIKE_MIN_STD_LOG2 = 63;
export const CFG_SPIKE_MIN_BPS = 64;
export const CFG_SPIKE_HIGH_MIN_BPS = 65;
export const CFG_SPIKE_MEMORY_CAP_BYTES = 66;
export const CFG_PROTOSHIFT_ENABLED = 67;
export const CFG_PROTOSHIFT_SERVICES_ENABLED = 68; // PROTOSHIFT_SERVICE
export const CFG_PROTOSHIFT_POINTS = 69;
export const CFG_PROTOSHIFT_HIGH_POINTS = 70;
export const CFG_PROTOSHIFT_MIN_PACKETS = 71;
export const CFG_BASELINE_EXPORT_MAX_KEYS = 96; // keyed baselines per table baselineExport() writes (most recently active first)
export const CFG_BASELINE_FROZEN = 97; // 1: baselines loaded at reset() are not updated by the new capture
export const CONFIG_COUNT = 128;

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
export const BLREC_STRIDE = 64;
export const BLREC_KIND = 0; // u8 BLREC_*
export const BLREC_VARIANT = 1; // u8 class or latency variant
export const BLREC_PORT = 2; // u16
export const BLREC_PROTO = 4; // u8 IP protocol number
export const BLREC_AGE_W = 8; // u32 windows since the last packet (SPIKE_DST)
export const BLREC_ADDR = 16; // 16 bytes
export const BLREC_N = 32; // f64 samples (a non-negative integer)
export const BLREC_MEAN = 40; // f64
export const BLREC_S = 48; // f64 variance, mean square or M2 (see above; >= 0 except POPULATION's may be any finite)
// Bytes 56-63 are 0.
export const BLREC_SPIKE_GLOBAL = 1;
export const BLREC_SPIKE_POPULATION = 2;
export const BLREC_SPIKE_DST = 3;
export const BLREC_PROTO_CLASS = 4;
export const BLREC_PROTO_SERVICE = 5;
export const BLREC_LATENCY_SERVER = 6;
export const BLREC_LONGCONN_SERVICE = 7;
export const BLREC_KINDS = 8; // kinds are 1 .. BLREC_KINDS - 1

/** Node names from CSV/JSON are mapped into 100::/64 (RFC 6666 discard-only prefix): byte 0 is
 * 0x01, bytes 1-11 are 0, bytes 12-15 hold the name's interned id, big-endian. */
export const NODE_PREFIX_BYTE0 = 0x01;

// ---- flow table slots (flowTablePtr(), flowTableSlots() slots of FLOW_STRIDE bytes), read-only
// for the host; a slot whose FLOW_HASH is 0 is empty. Ends are in canonical (lo, hi) order. ----
export const FLOW_STRIDE = 320;
export const FLOW_HASH = 0; // u32 stored hash, 0 = empty slot
export const FLOW_ORIG_IS_LO = 4; // u32 bit 0: 1 when orig (first sender) is the lo end
export const FLOW_LAST_US = 8; // i64 newest packet time (µs)
export const FLOW_LO_ADDR = 16; // 16 bytes
export const FLOW_HI_ADDR = 32; // 16 bytes
export const FLOW_LO_PORT = 48; // u16 (ICMP: type, or the counterpart/code)
export const FLOW_HI_PORT = 50; // u16
export const FLOW_PROTO = 52; // u32 IP protocol number
export const FLOW_VLAN = 56; // u32
export const FLOW_FLAGS_ORIG = 60; // u8 OR of TCP flags sent by orig
export const FLOW_FLAGS_RESP = 61; // u8 OR of TCP flags sent by resp
export const FLOW_FIRST_US = 64; // i64 oldest packet time (µs)
export const FLOW_PKTS_ORIG = 72; // u32
export const FLOW_PKTS_RESP = 76; // u32
export const FLOW_BYTES_ORIG = 80; // u64 wire bytes
export const FLOW_BYTES_RESP = 88; // u64
export const FLOW_SYN = 96; // u32 packets with SYN, either direction
export const FLOW_FIN = 100; // u32
export const FLOW_RST = 104; // u32
export const FLOW_ACK = 108; // u32
export const FLOW_PSH = 112; // u32
export const FLOW_URG = 116; // u32
export const FLOW_ECE = 120; // u16
export const FLOW_CWR = 122; // u16
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
export const CONN_STRIDE = 128;
export const CONN_FIRST_US = 0; // i64 first packet time (µs)
export const CONN_LAST_US = 8; // i64 last packet time (µs)
export const CONN_ORIG = 16; // 16 bytes originator address (sent the first packet)
export const CONN_RESP = 32; // 16 bytes responder address
export const CONN_ORIG_PORT = 48; // u16 (ICMP: type)
export const CONN_RESP_PORT = 50; // u16 (ICMP: the type's counterpart or code)
export const CONN_PROTO = 52; // u8 IP protocol number
export const CONN_STATE = 53; // u8 CONN_STATE_* (Zeek conn_state, approximated: detect/conn.ts)
export const CONN_END = 54; // u8 FWIN_END_IDLE / FWIN_END_EVICTED / FWIN_END_INPUT
export const CONN_FLAGS_ORIG = 55; // u8 OR of the TCP flags orig sent
export const CONN_FLAGS_RESP = 56; // u8 OR of the TCP flags resp sent
export const CONN_VLAN = 60; // u32
export const CONN_PKTS_ORIG = 64; // u32
export const CONN_PKTS_RESP = 68; // u32
export const CONN_BYTES_ORIG = 72; // f64 wire bytes orig sent
export const CONN_BYTES_RESP = 80; // f64
export const CONN_PAYLOAD_ORIG = 88; // f64 payload bytes orig sent (TCP: new sequence space only, retransmissions not counted again; mod 2^32)
export const CONN_PAYLOAD_RESP = 96; // f64
export const CONN_FIRST_RECORD = 104; // u32 record index of the packet that created the flow
export const CONN_DATA_SEGMENTS = 108; // u32 TCP data segments, both directions
export const CONN_RETRANSMISSIONS = 112; // u32 of those, retransmissions
export const CONN_RTT_US = 116; // u32 TCP handshake RTT SYN -> ACK as seen at the capture point, µs; 0xffffffff unknown
// Bytes 120-127 are 0.
export const CONN_STATE_OTH = 0;
export const CONN_STATE_S0 = 1;
export const CONN_STATE_S1 = 2;
export const CONN_STATE_SF = 3;
export const CONN_STATE_REJ = 4;
export const CONN_STATE_S2 = 5;
export const CONN_STATE_S3 = 6;
export const CONN_STATE_RSTO = 7;
export const CONN_STATE_RSTR = 8;
export const CONN_STATE_RSTOS0 = 9;
export const CONN_STATE_RSTRH = 10;
export const CONN_STATE_SH = 11;
export const CONN_STATE_SHR = 12;

// ---- traffic timeline (timelinePtr(): timelineBins() records of TL_STRIDE bytes; detect/timeline.ts) ----
export const TL_MAX_BINS = 2048; // bins kept at most; the bin width doubles (neighbours merged) beyond
export const TL_INITIAL_BIN_US = 1000; // width of a bin before any merge, µs (1 ms)
export const TL_CLASSES = 5; // protocol classes: 0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other (PROTOSHIFT's order)
export const TL_STRIDE = 80; // 10 f64 per bin (a bin's totals are the sums over its classes)
export const TL_CLASS_PACKETS = 0; // f64[TL_CLASSES] decoded packets per class
export const TL_CLASS_BYTES = 40; // f64[TL_CLASSES] their wire bytes per class
