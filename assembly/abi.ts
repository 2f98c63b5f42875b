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
export const ALERT_STRIDE: i32 = 96;
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

// ---- detectors and severities ----
export const DET_ZSCORE: i32 = 1;
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
export const COUNTER_COUNT: i32 = 40;

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
export const CONFIG_COUNT: i32 = 24;

/** Node names from CSV/JSON are mapped into 100::/64 (RFC 6666 discard-only prefix): byte 0 is
 * 0x01, bytes 1-11 are 0, bytes 12-15 hold the name's interned id, big-endian. */
export const NODE_PREFIX_BYTE0: i32 = 0x01;

// ---- flow table slots (flowTablePtr(), flowTableSlots() slots of FLOW_STRIDE bytes), read-only
// for the host; a slot whose FLOW_HASH is 0 is empty. Ends are in canonical (lo, hi) order. ----
export const FLOW_STRIDE: i32 = 128;
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
