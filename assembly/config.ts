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
   *  Default 320 MiB (1 Mi slots of 320 B: table/flow-table.ts FLOW_STRIDE; a live flow costs
   *  320-427 B at the 3/4 load limit). When full, see table/open-table.ts (evict LRU near home). */
  values[abi.CFG_FLOW_MEMORY_CAP_BYTES] = 320 * 1024 * 1024;
  /** Idle timeout of TCP flows, seconds of packet time. Default 300 s (Zeek tcp_inactivity_timeout 5 min;
   *  the issue's "inactivity timeout, default 300 s, overridable per protocol" is this value and the
   *  three below). A flow ends when a packet comes more than the timeout after its last one, or when
   *  the newest packet time passes its last by more than timeout + CFG_LATENESS_S (then the sweep
   *  removes it): table/flow-table.ts. */
  values[abi.CFG_TCP_TIMEOUT_S] = 300;
  /** Idle timeout of UDP flows, seconds (as CFG_TCP_TIMEOUT_S). Default 60 s (Zeek udp_inactivity_timeout 1 min). */
  values[abi.CFG_UDP_TIMEOUT_S] = 60;
  /** Idle timeout of ICMP/ICMPv6 flows, seconds (as CFG_TCP_TIMEOUT_S). Default 60 s (Zeek icmp_inactivity_timeout 1 min). */
  values[abi.CFG_ICMP_TIMEOUT_S] = 60;
  /** Idle timeout of other IP protocols, seconds (as CFG_TCP_TIMEOUT_S). Default 60 s (as UDP; Zeek has no separate value). */
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
  /** Baseline packets a channel needs before a z-score alert may be HIGH; with it (> 0), HIGH also
   *  needs an upward deviation (z > 0), the channel's own sigma at or above its floor and the packet
   *  above CFG_ZSCORE_HIGH_MAX_FACTOR x the largest packet in the window; otherwise the alert stays
   *  MEDIUM. 0 keeps issue #2's plain ladder (HIGH from 4t). Default 30, the textbook minimum for a
   *  sample standard deviation to stand for the spread (relative standard error 1/sqrt(2(m-1)):
   *  41 % at m = 4, 13 % at 30). Evidence, issue #4 "benign captures stay quiet at high severity"
   *  (npm run evaluate at 9206f36, normal/ + tcp_behaviour/): 691 ZSCORE HIGH alerts; 607 had
   *  m < 30 (a TCP channel's first data packet after its header-only handshake: zeek_ssh_ssh 14,
   *  evgenii_no_flood 5, http_espn 4), 21 were downward (the last short segment or a pure ACK
   *  after a bulk run of full segments: zeek_smb_smb2 5), 4 against the floor, 27 within twice the
   *  window's largest packet (zeek_http_206: a 347-B request after a 341-B one); 32 stay HIGH
   *  (detect/zscore.ts). Attack captures keep their ZSCORE alerts (ndpi_icmp-tunnel: 72; its 2
   *  HIGH at m = 28 and 14 are MEDIUM now). */
  values[abi.CFG_ZSCORE_HIGH_MIN_SAMPLES] = 30;
  /** With CFG_ZSCORE_HIGH_MIN_SAMPLES > 0: HIGH needs the packet larger than this multiple of the
   *  largest packet in the channel's window, a size the channel has not carried (0: no such
   *  condition). Default 2: up to twice the known largest is a repeat of the channel's traffic (a
   *  second request on a keep-alive connection, a full segment after a partial one); 27 of the 59
   *  HIGH alerts left on normal/ + tcp_behaviour/ by the other conditions; on attacks/ 24 of 29
   *  (port-scan probes and reflections, none of them an expected alert). */
  values[abi.CFG_ZSCORE_HIGH_MAX_FACTOR] = 2;
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
  /** What the trace follows: 0 or DET_ZSCORE a z-score channel, DET_PORTSCAN a (scanner, target)
   *  pair, DET_SYNFLOOD a victim, DET_SPIKE a destination's (or all traffic's) metric windows,
   *  DET_LATENCY a server, DET_PROTOSHIFT the class and service shares per metric window (abi.ts
   *  TRACE_KEY_BYTES). Default 0. */
  values[abi.CFG_TRACE_DETECTOR] = 0;
  /** 1 writes a mark record (abi.MARK_*) for every packet a rule flagged (for `--format reasons`
   *  and pcap cuts); the evidence counters C_MARKS_* count either way. Default 0. */
  values[abi.CFG_MARKS_ENABLED] = 0;
  /** Mark records held before STATUS_OUTPUT_FULL. Default 65,536 (4 MiB). */
  values[abi.CFG_MARK_CAPACITY] = 65536;
  /** Flow-window records held before STATUS_OUTPUT_FULL (at least 17: one packet may emit 16).
   *  Default 32,768 (3 MiB). */
  values[abi.CFG_WINDOW_CAPACITY] = 32768;
  /** Lateness bound L, seconds of packet time: flow windows close when the newest packet time
   *  minus L passes their end, so a packet up to L behind the newest one always lands in its own
   *  window; a packet whose window has closed is late (C_LATE_PACKETS) and is folded into an open
   *  window as detect/flow-window.ts documents. Clamped to [0, window length - 1 µs]. Also the
   *  flow table's expiry margin (CFG_TCP_TIMEOUT_S). Default 5 s (issue #3). */
  values[abi.CFG_LATENESS_S] = 5;
  /** 1 runs BLACKLIST (detect/flow-rules.ts): flows whose source or destination lies in one of the
   *  host's ranges (blacklistReserve(); matched once per flow at creation). No list: no work.
   *  Default 1. */
  values[abi.CFG_BLACKLIST_ENABLED] = 1;
  /** 1 runs PORTSCAN_PORTS (vertical: distinct services one source probes on one target;
   *  detect/portscan.ts defines a probe). Default 1. */
  values[abi.CFG_PORTSCAN_ENABLED] = 1;
  /** PORTSCAN fires above this many distinct destination services ((protocol << 16) | port) of one
   *  target probed in the window. Integer part used, capped at 255. Default 10 (issue #3). */
  values[abi.CFG_PORTSCAN_PORTS] = 10;
  /** PORTSCAN sliding window, seconds of packet time (exact: (clock - T, clock]). Default 60 s (issue #3). */
  values[abi.CFG_PORTSCAN_WINDOW_S] = 60;
  /** 1 runs the strict SYN variant of PORTSCAN (PORTSCAN_SYN; independent of CFG_PORTSCAN_ENABLED). Default 1. */
  values[abi.CFG_PORTSCAN_SYN_ENABLED] = 1;
  /** Strict variant: more than this many SYNs (SYN set, ACK clear, retransmissions included) of
   *  one source to one target ... (counted in 16 buckets: the window covers 15/16 to 16/16 of T).
   *  Default 100 (issue #3). */
  values[abi.CFG_PORTSCAN_SYN_SYNS] = 100;
  /** ... and more than this many distinct destination ports of those SYNs (integer part, capped
   *  at 255) ... Default 20 (issue #3). */
  values[abi.CFG_PORTSCAN_SYN_PORTS] = 20;
  /** ... within this window, seconds. Default 60 s (issue #3). */
  values[abi.CFG_PORTSCAN_SYN_WINDOW_S] = 60;
  /** 1 runs the address scan PORTSCAN_HOSTS (one source, many hosts on one (protocol, port); ICMP
   *  echo requests count as (icmp, 8) probes). Default 1. */
  values[abi.CFG_ADDRSCAN_ENABLED] = 1;
  /** Address scan fires above this many distinct destination hosts (integer part, capped at 255).
   *  Default 25 (Zeek Scan::addr_scan_threshold; Zeek counts failed connections only, we count
   *  every probe). */
  values[abi.CFG_ADDRSCAN_HOSTS] = 25;
  /** Address scan window, seconds. Default 300 s (Zeek Scan::addr_scan_interval, 5 min). */
  values[abi.CFG_ADDRSCAN_WINDOW_S] = 300;
  /** 1 runs SYNFLOOD per destination. Default 1. */
  values[abi.CFG_SYNFLOOD_ENABLED] = 1;
  /** SYNFLOOD fires above this many SYNs (SYN set, ACK clear) to one destination, whatever their
   *  sources ... Default 100 (issue #3). */
  values[abi.CFG_SYNFLOOD_SYNS] = 100;
  /** ... within this window, seconds (counted in 16 buckets: the window covers 15/16 to 16/16 of T).
   *  Default 60 s (issue #3). */
  values[abi.CFG_SYNFLOOD_WINDOW_S] = 60;
  /** 1 runs the spread variant SYNFLOOD_SPREAD (SYNs to many destinations, no single victim;
   *  independent of CFG_SYNFLOOD_ENABLED). Default 1. */
  values[abi.CFG_SYNFLOOD_SPREAD_ENABLED] = 1;
  /** Spread variant: more than this many SYNs over all destinations in the window, going to more
   *  than half as many distinct destinations (detect/synflood.ts). Default 50: the spoofed flood
   *  attacks/synflood/ppa1e_dosattack.pcap sends 100 SYNs to 100 hosts in 16 ms; the benign
   *  captures normal/*.pcap* peak at 25 SYNs in 1 s (to 13 hosts). */
  values[abi.CFG_SYNFLOOD_SPREAD_SYNS] = 50;
  /** Spread variant window, seconds (16 buckets, as above). Default 1 s (see the threshold). */
  values[abi.CFG_SYNFLOOD_SPREAD_WINDOW_S] = 1;
  /** 1 runs the low-and-slow tier SYNFLOOD_SLOW per destination (independent of
   *  CFG_SYNFLOOD_ENABLED; a SYN is evidence of at most one tier, DST first). Default 1. */
  values[abi.CFG_SYNFLOOD_SLOW_ENABLED] = 1;
  /** Slow tier: more than this many SYNs to one destination ... Default 200 with the window
   *  below: a sustained third of a SYN per second for ten minutes. The low-rate flood
   *  attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng sends 354 SYNs
   *  from 53 sources to 10.10.10.10 over 818 s (peak 54 in 60 s, below CFG_SYNFLOOD_SYNS; 269 in
   *  600 s); the benign captures of normal/ (perf included) peak at 63 SYNs per destination in
   *  600 s, apart from the echo load test zeek_echo-connections, which the completion gate
   *  (CFG_SYNFLOOD_COMPLETED_FRACTION) clears. */
  values[abi.CFG_SYNFLOOD_SLOW_SYNS] = 200;
  /** ... within this window, seconds (16 buckets: the window covers 15/16 to 16/16 of T2).
   *  Default 600 s (see the threshold). */
  values[abi.CFG_SYNFLOOD_SLOW_WINDOW_S] = 600;
  /** Completion gate of SYNFLOOD_DST and SYNFLOOD_SLOW (the half-open test, as Zeek and Suricata
   *  view half-open connections): a tier fires only while the handshakes completed to the
   *  destination in its window (table/flow-table.ts: the originator's first ACK after its SYN
   *  and the responder's SYN+ACK) are fewer than this fraction of the SYNs to it in the window.
   *  A destination whose handshakes complete for at least 1 SYN in 4 is busy (a load test, an
   *  overloaded listen queue whose clients retry), not flooded; floods of spoofed sources or of
   *  sources that answer the SYN+ACK with RST complete none. Measured: the benign echo load test
   *  normal/perf/zeek_echo-connections.pcap.gz (741 SYNs to 127.0.0.1:7000 in 3 s, 500 completed)
   *  stays at 0.57 completions per SYN or more in 60 s once past 100 SYNs; every flood of
   *  attacks/synflood completes none, the SYN scans of attacks/portscan at most 0.007 per SYN
   *  (a connect scanner completes most: evilfingers_xscan_capture up to 0.97). Range
   *  [0, 1]; 1 (or more) switches the gate off (the SYN counts alone decide), 0 silences both
   *  tiers. Default 0.25. */
  values[abi.CFG_SYNFLOOD_COMPLETED_FRACTION] = 0.25;
  /** 1 runs LARGESIZE (detect/flow-rules.ts; one episode per flow with a packet larger than
   *  CFG_LARGESIZE_BYTES). Default 1. */
  values[abi.CFG_LARGESIZE_ENABLED] = 1;
  /** LARGESIZE fires for packets larger than this, bytes of wire length (fractions are floored).
   *  Default 1500 (Ethernet MTU; captures taken on a host with segmentation offload (TSO/GSO,
   *  GRO/LRO) hold frames up to 64 KiB that never crossed the wire at that size, and reassembled
   *  captures hold oversized IP packets: raise it for those). Severity medium above 4x. */
  values[abi.CFG_LARGESIZE_BYTES] = 1500;
  /** 1 runs UNUSUAL (detect/flow-rules.ts: a flow's (protocol, server port) outside the normal
   *  set written at servicesPtr(), judged once at flow creation; an all-zero set disables it).
   *  Default 1. */
  values[abi.CFG_UNUSUAL_ENABLED] = 1;
  /** 1 computes flow windows (abi.FWIN_*, detect/flow-window.ts) and judges each by the flow
   *  rules of the program the host wrote (ruleProgramReserve(), detect/rule-vm.ts), when that
   *  program has at least one rule or CFG_FLOWWIN_EMIT_ALL is 1; otherwise, and with 0, computes
   *  none and keeps no per-originator table. Default 1. */
  values[abi.CFG_FLOWWIN_ENABLED] = 1;
  /** Flow-window length, seconds (tumbling, aligned to the epoch: start = floor(ts / W) * W; at
   *  least 1 ms). Default 60 s (issue #3). */
  values[abi.CFG_FLOWWIN_WINDOW_S] = 60;
  /** 1 writes every judged flow window to the window region (FWIN_RULES 0 for those no rule
   *  matched), and computes windows even without rules: for tests and tools that want every
   *  window. 0 writes only the windows that match at least one rule, so the host reads nothing
   *  for the rest. Default 0. */
  values[abi.CFG_FLOWWIN_EMIT_ALL] = 0;
  /** Memory cap of the portscan pair table and of the address-scan table, bytes each; the sliding
   *  sketches of open PORTSCAN episodes take at most 1/8 of it more (at least 64 sketches of
   *  2,328 B). Slot sizes: detect/portscan.ts. Default 64 MiB. */
  values[abi.CFG_SCAN_MEMORY_CAP_BYTES] = 64 * 1024 * 1024;
  /** Memory cap of the SYN-flood destination table, bytes (424 B a slot, 816 B with the slow tier
   *  enabled: detect/synflood.ts). Default 64 MiB. */
  values[abi.CFG_SYNFLOOD_MEMORY_CAP_BYTES] = 64 * 1024 * 1024;
  /** Memory cap of the per-originator distinct-port state behind FWIN_DST_PORTS, bytes: the slot
   *  table (128 B a slot) gets 128/656 of it, the pool of large sets (264 B a set) the rest
   *  (detect/sources.ts). Default 64 MiB (65,536 slots, 49,152 originators at the 3/4 load limit). */
  values[abi.CFG_SOURCE_MEMORY_CAP_BYTES] = 64 * 1024 * 1024;
  /** 1 runs LATENCY (detect/latency.ts: handshake RTT and request -> response latency against an
   *  EWMA baseline per server). Default 1. */
  values[abi.CFG_LATENCY_ENABLED] = 1;
  /** 1 also takes LATENCY_RESPONSE samples (last client data segment -> first server data
   *  segment after it) and judges them like the handshake samples. Default 0: a response time is
   *  server think time plus the path, heavy-tailed by nature, and on the benign captures it alone
   *  raised HIGH alerts (normal/perf/real_mix 57 servers, zeek_ssh_ssh 6: a shell command that runs
   *  2.3 s after a baseline of 20 ms keystroke echoes, zeek_ftp_cwd-navigation 2, echo-connections
   *  and chrissanders_http_espn 1 each) where the handshake RTT raised 2 (below). */
  values[abi.CFG_LATENCY_RESPONSE_ENABLED] = 0;
  /** EWMA span N of the latency baselines: alpha = 2 / (N + 1) (pandas' span convention).
   *  Default 15: alpha = 1/8, the gain of TCP's smoothed RTT (RFC 6298 section 2). */
  values[abi.CFG_LATENCY_SPAN] = 15;
  /** Samples a server's baseline (per variant) must hold before its samples are judged. Default
   *  10: a little over the EWMA's time constant 1/alpha = 8 samples, after which the first
   *  sample's weight is below (7/8)^9 = 30 %. */
  values[abi.CFG_LATENCY_WARMUP] = 10;
  /** A sample above this multiple of the baseline mean is MEDIUM (issue #4). Default 1.5. */
  values[abi.CFG_LATENCY_MEDIUM_RATIO] = 1.5;
  /** ... above this multiple HIGH (issue #4). Default 2. */
  values[abi.CFG_LATENCY_HIGH_RATIO] = 2;
  /** A sample must also exceed the baseline mean by at least this many milliseconds to count
   *  (both severities). Default 10 ms: without it the loopback echo load test
   *  normal/perf/zeek_echo-connections (1,000 handshake samples of a few µs) raises 2 HIGH and
   *  normal/perf/real_mix 4 HIGH and 5 MEDIUM handshake alerts on sub-10-ms jitter; with it 0 and
   *  3 HIGH + 1 MEDIUM. */
  values[abi.CFG_LATENCY_MIN_EXCESS_MS] = 10;
  /** A sample must also exceed the baseline mean by this many baseline standard deviations
   *  (both severities; the three-sigma rule). Default 3: with it normal/perf/real_mix keeps 2 HIGH
   *  handshake alerts (SYN -> SYN/ACK 799 ms against 177 ms +- 118 ms, and SYN/ACK -> ACK 135 ms
   *  against 3 ms +- 2 ms: real spikes) instead of 3 HIGH + 1 MEDIUM (a server whose RTT varies by
   *  +- 224 ms around 236 ms is not slow at 811 ms). */
  values[abi.CFG_LATENCY_MIN_SIGMAS] = 3;
  /** Memory cap of the LATENCY server table, bytes (448 B a server). Default 16 MiB (32,768
   *  slots, 24,576 servers at the 3/4 load limit). */
  values[abi.CFG_LATENCY_MEMORY_CAP_BYTES] = 16 * 1024 * 1024;
  /** 1 runs RETRANS (detect/tcp-flow.ts: retransmitted over data segments per flow). Default 1. */
  values[abi.CFG_RETRANS_ENABLED] = 1;
  /** Data segments (both directions) a flow needs before RETRANS judges it. Default 6: the
   *  classic retransmission example tcp_behaviour/chrissanders_tcp_retransmissions (one segment
   *  sent 6 times with exponential back-off, then the connection is given up) has 6; with the
   *  minimum of retransmissions below, a short flow needs 2 lost segments to be judged at all. */
  values[abi.CFG_RETRANS_MIN_SEGMENTS] = 6;
  /** Retransmitted segments a flow needs besides the ratio. Default 2: one retransmission is one
   *  event, not a rate (1 of 6 segments is 17 %). In normal/perf/real_mix, 184 of 4,854 flows have
   *  a retransmission, 108 of them exactly one; flows over 5 % with at least 2 are 73 (genuine:
   *  e.g. 47 of 70 segments re-sent, 17 of 51), with at least 1 they would be 122. Since the
   *  zero-window, PMTU and new-ISN rules of detect/tcp-flow.ts: 70, each re-sending data (checked
   *  against the capture in test/worker/benign-quiet.test.ts). */
  values[abi.CFG_RETRANS_MIN_RETRANSMISSIONS] = 2;
  /** RETRANS is MEDIUM above this fraction of retransmitted data segments (issue #4). Default 0.02. */
  values[abi.CFG_RETRANS_MEDIUM] = 0.02;
  /** ... HIGH above this fraction (issue #4). Default 0.05. */
  values[abi.CFG_RETRANS_HIGH] = 0.05;
  /** 1 runs LONGCONN_MEAN / LONGCONN_IDLE (detect/longconn.ts). Default 1. */
  values[abi.CFG_LONGCONN_ENABLED] = 1;
  /** A flow longer than this multiple of its service's mean completed-flow duration is MEDIUM
   *  (issue #4). Default 1.5. */
  values[abi.CFG_LONGCONN_MEDIUM_RATIO] = 1.5;
  /** ... longer than this multiple HIGH (issue #4). Default 2. */
  values[abi.CFG_LONGCONN_HIGH_RATIO] = 2;
  /** Completed flows a service needs before its flows are judged. Default 10 (a mean of fewer
   *  durations moves by more than a third of their spread with each new one). */
  values[abi.CFG_LONGCONN_MIN_FLOWS] = 10;
  /** Flows shorter than this are never long, seconds. Default 600 s (Zeek long-connections' first
   *  step, 10 min): durations are heavy-tailed, so 2x a service's mean is common; in
   *  normal/perf/real_mix a 60 s floor leaves 108 flows of 60-1,509 s flagged (HTTPS flows of
   *  1-10 min against service means of 8-30 s), 600 s leaves 2 (601 s and 1,509 s). */
  values[abi.CFG_LONGCONN_MIN_DURATION_S] = 600;
  /** A long flow with fewer wire bytes than this (both directions) is LONGCONN_IDLE (issue #4:
   *  "under 1000 bytes"). Default 1000. */
  values[abi.CFG_LONGCONN_IDLE_BYTES] = 1000;
  /** 1 reports the fixed duration ladder of Zeek's long-connections package (10 min, 30 min, 1 h,
   *  12 h, 24 h; LONGCONN_LADDER, severity LOW). Default 1. */
  values[abi.CFG_LONGCONN_LADDER_ENABLED] = 1;
  /** Memory cap of the LONGCONN service table, bytes (48 B a service). Default 4 MiB. */
  values[abi.CFG_LONGCONN_MEMORY_CAP_BYTES] = 4 * 1024 * 1024;
  /** 1 writes a connection record (abi.CONN_*, detect/conn.ts) at every flow end. Default TBD. */
  values[abi.CFG_CONN_RECORDS_ENABLED] = 1;
  /** Connection records held before STATUS_OUTPUT_FULL (at least 9). Default 16,384 (2 MiB). */
  values[abi.CFG_CONN_CAPACITY] = 16384;
  // ---- metric windows and baselines (detect/metrics.ts, detect/baseline.ts; issue #4) ----
  /** Metric window W of SPIKE and PROTOSHIFT, seconds of packet time (tumbling, aligned to the
   *  epoch; closed when the newest time minus CFG_LATENESS_S passes its end; at least 1 ms).
   *  Default 10 s (issue #4). */
  values[abi.CFG_METRIC_WINDOW_S] = 10;
  /** Span N of every metric baseline, windows: an EWMA with alpha = 2 / (N + 1) (the first
   *  (N + 1) / 2 windows averaged with equal weights); a silence of N windows or more starts a new
   *  session (every baseline restarts), a destination quiet for N windows starts over. Default 60
   *  (issue #4: "baseline over the last 60 windows", 10 minutes of 10-s windows). */
  values[abi.CFG_BASELINE_WINDOWS] = 60;
  /** Windows a baseline needs before anything is judged against it. Default 3: the victim of
   *  attacks/synflood/stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng has exactly 3 windows (72, 120,
   *  78 B/s) before its 44 KB/s flood; one or two windows give no spread at all. Longer warm-ups
   *  silence that flood and save few benign MEDIUMs (normal/, perf included: 119 SPIKE MEDIUMs at
   *  3, 101 at 4). HIGH needs (N + 1) / 2 windows whatever this is. */
  values[abi.CFG_BASELINE_WARMUP] = 3;
  /** 1 runs SPIKE_GLOBAL (bytes/s of all packets per window against its baseline). Default 1. */
  values[abi.CFG_SPIKE_ENABLED] = 1;
  /** 1 runs SPIKE_DST (bytes/s per destination address; keeps the destination table). Default 1. */
  values[abi.CFG_SPIKE_DST_ENABLED] = 1;
  /** SPIKE MEDIUM above mean + k·sigma of the baseline of log2(1 + bytes/s). Default 2 (issue #4:
   *  "above mu + 2 sigma is medium"). */
  values[abi.CFG_SPIKE_MEDIUM_SIGMA] = 2;
  /** SPIKE HIGH above mean + k·sigma (at least the MEDIUM k). Default 3 (issue #4: "mu + 3 sigma"). */
  values[abi.CFG_SPIKE_HIGH_SIGMA] = 3;
  /** Floor of sigma of the SPIKE baselines (own and population), log2 units: 0.5 makes the
   *  MEDIUM band at least 2x the baseline mean and the HIGH band 2.8x. Default 0.5: a flat
   *  baseline (the low-rate flood stopddos_amp.TCP.syn..., 58-101 B/s for 74 windows, sigma 0.15)
   *  must not flag a window 30 % above it; 1 (4x / 8x) loses that capture's 220 B/s burst
   *  (3.2x its mean) and saves 7 of 119 benign MEDIUMs. */
  values[abi.CFG_SPIKE_MIN_STD_LOG2] = 0.5;
  /** SPIKE flags nothing below this rate, B/s (the MEDIUM threshold's floor). Default 100 B/s
   *  (1 KB in a 10-s window, a dozen small packets): on normal/ (perf included) 21 of 140 MEDIUM
   *  spikes are below it; the slowest flood caught, stopddos_amp.TCP.syn..., peaks at 220 B/s. */
  values[abi.CFG_SPIKE_MIN_BPS] = 100;
  /** SPIKE HIGH also needs the rate above this, B/s (the HIGH threshold's floor). Default 10,000
   *  B/s (100 KB in a 10-s window): without it normal/perf/real_mix raises 15 HIGH spikes (the
   *  periodic bursts of long constituents, 8 B/s to 2.4 KB/s after 10 quiet minutes, z > 3 on the
   *  log scale), with it none; every flood of attacks/ with a baseline to judge against exceeds
   *  35 KB/s except the low-rate one. */
  values[abi.CFG_SPIKE_HIGH_MIN_BPS] = 10000;
  /** Memory cap of the SPIKE_DST destination table, bytes (128 B a slot: detect/metrics.ts; the
   *  table of open episodes, 192 B each, takes at most 1/8 of it more). Default 64 MiB (524,288
   *  slots, 393,216 destinations at the 3/4 load limit). */
  values[abi.CFG_SPIKE_MEMORY_CAP_BYTES] = 64 * 1024 * 1024;
  /** 1 runs PROTOSHIFT_PROTO (protocol class shares per window). Default 1. */
  values[abi.CFG_PROTOSHIFT_ENABLED] = 1;
  /** 1 also runs PROTOSHIFT_SERVICE (shares of up to 16 tracked (protocol, responder port)
   *  services; needs CFG_PROTOSHIFT_ENABLED). Default 1. */
  values[abi.CFG_PROTOSHIFT_SERVICES_ENABLED] = 1;
  /** PROTOSHIFT MEDIUM when a share rises more than this many percentage points above its
   *  baseline share. Default 30 (issue #4: "a change of more than 30 percentage points"). */
  values[abi.CFG_PROTOSHIFT_POINTS] = 30;
  /** PROTOSHIFT HIGH above this many points (at least CFG_PROTOSHIFT_POINTS). Default 50: a class
   *  or service that was a minority becomes the majority (UDP from 10 % to over 60 %); every
   *  amplification flood of attacks/ddos_amplification shifts UDP by 60-100 points. */
  values[abi.CFG_PROTOSHIFT_HIGH_POINTS] = 50;
  /** PROTOSHIFT judges only windows with at least this many packets (every window still updates
   *  the baselines). Default 100: one new connection is 38 % of a 52-packet window of
   *  normal/evgenii_no_flood (tcp/8080); on normal/ (perf included) 95 shifts (51 HIGH) at 20,
   *  37 (25 HIGH) at 100, all but 2 in the merged real_mix; every flood window of attacks/ holds
   *  thousands of packets. */
  values[abi.CFG_PROTOSHIFT_MIN_PACKETS] = 100;
  /** Learned baselines baselineExport() writes per keyed table (SPIKE destinations, LATENCY
   *  servers, LONGCONN services; detect/baseline-io.ts): the most recently active ones (newest
   *  SLOT_LAST) first; the rest are counted in C_BASELINE_EXPORT_DROPPED. Default 65,536 (4 MiB of
   *  64-byte records per table, about 20 MiB of JSON): 2^16 keeps the busiest hosts of a large
   *  enterprise capture while a baseline file stays loadable in a browser tab. */
  values[abi.CFG_BASELINE_EXPORT_MAX_KEYS] = 65536;
  /** 1: baselines loaded at reset() (baselineReserve()) are not updated by the new capture (they
   *  judge only); keys the file does not hold learn as usual. Default 0: loaded baselines keep
   *  adapting, as if the new capture continued the one they were learnt on. */
  values[abi.CFG_BASELINE_FROZEN] = 0;
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
