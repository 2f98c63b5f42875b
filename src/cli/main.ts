#!/usr/bin/env -S npx tsx
// The command-line entry: runs the same WASM core and pipeline as the page's worker, in Node.
// `flowlens analyze FILE` prints the alerts (JSONL or CSV, one per line), the anomalous flows or
// the per-packet reasons to stdout and a summary to stderr (with --pcap-out FILE also the packets of
// the alerts as a capture cut from the input, src/io/pcap-cut.ts); with --baseline FILE it detects
// against a learnt baseline (PROFILE alerts, seeded window baselines). `flowlens learn FILE --out
// B.json` learns a baseline file from a capture (src/ml/baseline-file.ts) and prints what it
// holds. Options come from the defaults, then a JSON config file (--config), then the flags. Exit
// codes: 0 done, 1 input error (message on stderr; what was read before the fault is still
// printed), 2 usage error (bad flag, config, blacklist or baseline file: the message names the
// flag, the option path, the line or the JSON path).
import { accessSync, closeSync, constants, createReadStream, openAsBlob, openSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, instantiateCore } from '../worker/engine';
import { analyzeBlob, type DirectReader, type PipelineHooks } from '../worker/pipeline';
import { DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../shared/protocol';
import { MARK_DST, MARK_SRC, MARK_STRIDE, NODE_PREFIX_BYTE0 } from '../shared/abi';
import {
  alertIndices, alertRow, communityIdSeedOf, csvColumns, flowsLines, forEachReasonLine, reasonLinesFromOriginal, rowFieldNames, toCsvHeader,
  toCsvRow, toJsonlRow,
} from '../io/alert-rows';
import { NameTable } from '../io/names';
import { forEachConnCsvLine, forEachConnLogLine } from '../io/conn-log';
import { forEachTimelineCsvLine } from '../io/timeline-csv';
import { eveLine } from '../io/eve';
import { readRows } from '../io/rows';
import { alertPacketIndexes, cutCapture, cutIndexes, PcapCutError, type CutResult } from '../io/pcap-cut';
import { formatLearnSummary, formatSummary } from './summary';
import { baselineFileFromJson, utf8Bytes, type BaselineFile } from '../ml/baseline-file';
import { BaselineFormatError } from '../ml/json-check';
import { parseWarmupText } from '../ui/settings-fields';
// Stand-ins until the merge: the real ones are src/rules/options.ts and src/rules/blacklist.ts.
import { defaultOptions, mergeOptions, validateOptions } from '../rules/options';
import { parseBlacklistText } from '../rules/blacklist';

/** What goes to stdout. */
export type OutputFormat = 'jsonl' | 'csv' | 'flows' | 'reasons' | 'conn' | 'conn-csv' | 'eve' | 'timeline';

const D = DEFAULT_OPTIONS;
export const USAGE = `Usage: flowlens analyze FILE [options]
       flowlens learn FILE --out BASELINE.json [options]

Reads a pcap, pcapng (optionally gzip-compressed), CSV, JSON, JSON Lines or packet-line file
(timestamp_ms,src,dst,sport,dport,proto,size,flags per line); the format is sniffed from the
content, never the name. Runs the detectors (ZSCORE, BLACKLIST, PORTSCAN, SYNFLOOD, LARGESIZE,
UNUSUAL, FLOWRULE, SPIKE, LATENCY, RETRANS, PROTOSHIFT, LONGCONN, and PROFILE with --baseline or
--warmup), prints the result to stdout, one item per line, and a summary to stderr.
\`learn\` learns a baseline from a capture known to be clean (per-source profiles, an Isolation
Forest and the window baselines of SPIKE, PROTOSHIFT, LATENCY and LONGCONN) and writes it as a
JSON file; \`analyze --baseline\` detects against it (PROFILE alerts for connections unusual for
their source, window baselines seeded).
Settings: the defaults, then --config FILE, then the flags below.

Output:
  --format F               jsonl (default): one alert per line, the same shape for every detector
                           csv: the same with a header row and fixed columns
                           eve: Suricata EVE JSON alert events (community_id, signature_id
                           per detector and variant, evidence under "flowlens")
                           flows: "(src, dst, sport, dport, proto)" per anomalous flow (FLOWRULE)
                           reasons: "REASON,<packet line>" per flagged packet and reason
                           (BLACKLIST, PORTSCAN, LARGESIZE, SYNFLOOD, UNUSUAL, SPIKE), in input order
                           conn: the connections (one per flow) as a Zeek-style conn.log (TSV);
                           orig_bytes/resp_bytes are payload bytes, *_ip_bytes wire bytes;
                           its last column community_id (Community ID v1)
                           conn-csv: the same columns as CSV with a header row
  --community-id-seed N    seed (0-65535) of every community_id written (jsonl, csv, eve, conn,
                           conn-csv); the other tools must use the same seed (default 0, as Zeek
                           and Suricata)
                           timeline: packets and wire bytes over capture time as CSV, one row
                           per bin (bin_start ISO 8601, bin_us, packets, bytes, then per class
                           tcp/udp/icmp/icmpv6/other packets and bytes); at most 2048 bins
  --include-suppressed     also print alerts the rate limiter suppressed (always counted)
  --pcap-out FILE          pcap/pcapng input: also write the packets of the alerts to FILE as a
                           capture of the input's format (original records, bytes and timestamps;
                           gzip input gives an uncompressed FILE): every packet flagged by
                           BLACKLIST, PORTSCAN, LARGESIZE, SYNFLOOD, UNUSUAL or SPIKE and the first
                           evidence packet of every printed alert (all other detectors)
  --pcap-alert N           with --pcap-out: only the packets of the N-th printed alert (1-based,
                           the line of the jsonl output); repeatable
  --quiet                  no summary on stderr

Rules:
  --config FILE            JSON file shaped like the analysis options (see README)
  --blacklist FILE         addresses and CIDR ranges, one or more per line, # comments;
                           repeatable, added to the config file's list
  --portscan-ports N       PORTSCAN: more than N distinct ports of one target (default ${D.rules.portscan.threshold})
  --portscan-window S      PORTSCAN: within S seconds (default ${D.rules.portscan.windowS})
  --synflood-syns M        SYNFLOOD: more than M SYNs to one destination (default ${D.rules.synflood.threshold})
  --synflood-window S      SYNFLOOD: within S seconds (default ${D.rules.synflood.windowS})
  --synflood-slow-syns M   SYNFLOOD low and slow: more than M SYNs to one destination (default ${D.rules.synfloodSlow.threshold})
  --synflood-slow-window S SYNFLOOD low and slow: within S seconds (default ${D.rules.synfloodSlow.windowS})
  --synflood-completed F   SYNFLOOD (both tiers): only while fewer than F of the SYNs complete
                           their handshake, 0-1; 1 switches this check off (default ${D.rules.synflood.completedFraction})
  --large-size BYTES       LARGESIZE: packets larger than BYTES (default ${D.rules.largesize.bytes})
  --normal LIST            UNUSUAL: the normal services, e.g. tcp/80,tcp/443,udp/53,tcp/6000-6063,icmp,proto/47
                           (replaces the default list)
  --rule NAME=EXPR         add a flow rule (or replace the expression of rule NAME), e.g.
                           --rule 'syn-only=syn_ratio > 0.9 and packets >= 20'; repeatable
  --flow-window S          flow-feature window, seconds (default ${D.flowFeatures.windowS})
  --lateness S             out-of-order tolerance, seconds, less than the flow window (default ${D.flowFeatures.latenessS})
  --flow-rule-limit K/S    print at most K flow-rule alerts per S seconds, or "off" (default ${D.limits.flowrule.max}/${D.limits.flowrule.perS})
  --no-zscore, --no-blacklist, --no-portscan, --no-portscan-syn, --no-address-scan,
  --no-synflood, --no-synflood-slow, --no-synflood-spread, --no-largesize, --no-unusual,
  --no-flow-rules, --no-spike, --no-spike-dst, --no-protocol-shift, --no-protocol-shift-services,
  --no-latency, --no-retrans, --no-long-connections
                           switch one detector or variant off (--no-spike: both SPIKE variants)
  --response-latency       LATENCY: also judge request -> response latency (default off)

Per-source profiles (PROFILE) and baseline files:
  --out FILE               learn: where to write the baseline file (required)
  --baseline FILE          analyze: detect against this baseline file (from flowlens learn or the
                           page's export); an old (version 1) or corrupt file is refused (exit 2)
  --warmup T               analyze without --baseline: learn from the first T of the capture and
                           detect on the rest: minutes ("10m"), hours ("1h") or a percent of the
                           connections ("25%"); SPIKE, PROTOSHIFT, LATENCY and LONGCONN alerts
                           inside the warm-up are dropped (counted in the summary)
  --profile-threshold X    combined score from which a connection is an alert, 0-1 (default ${D.profile.threshold})
  --profile-weights S,M    weights of the statistical and ML scores, adding up to 1 (default ${D.profile.weights.statistical},${D.profile.weights.ml})
  --no-profile             no PROFILE scoring (a --baseline still seeds the window baselines)

Learned baselines (SPIKE, PROTOSHIFT):
  --metric-window S        metric window, seconds of packet time (default ${D.baseline.windowS})
  --baseline-windows N     EWMA span of the baselines, windows (default ${D.baseline.windows})
  --baseline-warmup N      windows before a baseline is used (default ${D.baseline.warmup})
  --baseline-frozen        with --baseline: the file's window baselines are not updated by this
                           capture (default: they keep adapting)

Packet-size z-score:
  --window N               sliding window, packets per channel (default ${D.zscore.window})
  --threshold Z            flag packets with |z| above Z (default ${D.zscore.threshold})
  --min-samples N          baseline packets before a channel is scored (default ${D.zscore.minSamples})
  --min-std-bytes B        absolute floor of the standard deviation, bytes (default ${D.zscore.minStdBytes})
  --min-std-fraction F     relative floor of the standard deviation, fraction of the mean (default ${D.zscore.minStdFraction})
  --zscore-high-min-samples N  HIGH needs N baseline packets, an upward z and sigma at its floor or
                           above, else MEDIUM; 0: HIGH from 4t (default ${D.zscore.highMinSamples})
  --zscore-high-max-factor F   HIGH also needs the packet above F x the window's largest; 0: off
                           (default ${D.zscore.highMaxFactor})

Reading:
  --tcp-timeout S          TCP flow idle timeout, seconds (default ${D.flow.tcpTimeoutS})
  --udp-timeout S          UDP flow idle timeout, seconds (default ${D.flow.udpTimeoutS})
  --icmp-timeout S         ICMP flow idle timeout, seconds (default ${D.flow.icmpTimeoutS})
  --max-alerts N           alerts kept in memory and printed; the rest are counted (default ${D.maxAlerts})
  --chunk-bytes N          bytes read per chunk (default ${D.chunkBytes})
  --seed N                 hash seed (default: random per run)
  -h, --help               this text

Exit status: 0 analysed (or learnt), 1 the input could not be (fully) read or nothing could be
learnt, 2 bad usage (flags, config, blacklist or baseline file).`;

export class UsageError extends Error {}

function num(v: string | undefined, name: string, integer = false): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) {
    throw new UsageError(`--${name} wants a non-negative ${integer ? 'integer' : 'number'}, got "${v}"`);
  }
  return n;
}

/** Detector switches: flag → the option it clears. */
const SWITCHES: Record<string, (o: AnalysisOptions) => void> = {
  'no-zscore': (o) => (o.zscore.enabled = false),
  'no-blacklist': (o) => (o.rules.blacklist.enabled = false),
  'no-portscan': (o) => (o.rules.portscan.enabled = false),
  'no-portscan-syn': (o) => (o.rules.portscanSyn.enabled = false),
  'no-address-scan': (o) => (o.rules.addressScan.enabled = false),
  'no-synflood': (o) => (o.rules.synflood.enabled = false),
  'no-synflood-slow': (o) => (o.rules.synfloodSlow.enabled = false),
  'no-synflood-spread': (o) => (o.rules.synfloodSpread.enabled = false),
  'no-largesize': (o) => (o.rules.largesize.enabled = false),
  'no-unusual': (o) => (o.rules.unusual.enabled = false),
  'no-flow-rules': (o) => (o.flowFeatures.enabled = false),
  'no-latency': (o) => (o.rules.latency.enabled = false),
  'no-retrans': (o) => (o.rules.retrans.enabled = false),
  'no-long-connections': (o) => {
    o.rules.longConnections.enabled = false;
    o.rules.longConnections.ladder = false;
  },
  'response-latency': (o) => (o.rules.latency.response = true),
  'baseline-frozen': (o) => (o.baseline.frozen = true),
  'no-profile': (o) => (o.profile.enabled = false),
  'no-spike': (o) => {
    o.spike.enabled = false;
    o.spike.perDestination = false;
  },
  'no-spike-dst': (o) => (o.spike.perDestination = false),
  'no-protocol-shift': (o) => (o.protocolShift.enabled = false),
  'no-protocol-shift-services': (o) => (o.protocolShift.services = false),
};

const STRING_FLAGS = [
  'format', 'config', 'window', 'threshold', 'min-samples', 'min-std-bytes', 'min-std-fraction', 'zscore-high-min-samples', 'zscore-high-max-factor', 'tcp-timeout', 'udp-timeout',
  'icmp-timeout', 'max-alerts', 'chunk-bytes', 'seed', 'portscan-ports', 'portscan-window', 'synflood-syns', 'synflood-window',
  'synflood-slow-syns', 'synflood-slow-window', 'synflood-completed', 'large-size', 'normal', 'lateness', 'flow-window', 'flow-rule-limit',
  'metric-window', 'baseline-windows', 'baseline-warmup', 'out', 'baseline', 'warmup', 'profile-threshold', 'profile-weights',
  'community-id-seed',
] as const;

/** A parsed command line. */
export interface CliRun {
  command: 'analyze' | 'learn';
  file: string;
  /** learn: the baseline file to write. */
  out?: string;
  /** analyze --baseline: the file read and checked against the options, and its path and size. */
  baseline?: { path: string; file: BaselineFile; sizeBytes: number };
  format: OutputFormat;
  options: AnalysisOptions;
  quiet: boolean;
  includeSuppressed: boolean;
  /** analyze --pcap-out: where to write the cut capture. */
  pcapOut?: string;
  /** analyze --pcap-alert: 1-based numbers of the printed alerts whose packets --pcap-out cuts. */
  pcapAlerts?: number[];
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} ${path}: ${(e as Error).message}`);
  }
}

/** Reads a --config file: JSON merged over `base` with mergeOptions(). Throws UsageError naming the
 *  file and each problem's option path. */
export function loadConfig(path: string, base: AnalysisOptions): AnalysisOptions {
  const text = readText(path, 'config file');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`config file ${path} is not JSON: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`config file ${path}: expected a JSON object`);
  const { options, problems } = mergeOptions(base, json);
  if (problems.length > 0) throw new UsageError(problems.map((p) => `config file ${path}: ${p.path}: ${p.message}`).join('\n'));
  return options;
}

/** Reads a --blacklist file (parseBlacklistText: one or more entries per line, # comments).
 *  Throws UsageError with "FILE:LINE: message" per bad entry. */
export function loadBlacklist(path: string): string[] {
  const { entries, errors } = parseBlacklistText(readText(path, 'blacklist file'));
  if (errors.length > 0) {
    const shown = errors.slice(0, 20).map((e) => `blacklist ${path}:${e.line}: ${e.message.includes(e.entry) ? e.message : `"${e.entry}": ${e.message}`}`);
    if (errors.length > 20) shown.push(`blacklist ${path}: ... ${errors.length - 20} more`);
    throw new UsageError(shown.join('\n'));
  }
  return entries;
}

/** Parses argv (without node and the script) into a run, reading --config and --blacklist files.
 *  Throws UsageError (or node's ERR_PARSE_ARGS_* errors) on bad usage. */
export function parseCli(argv: string[]): CliRun | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    blacklist: { type: 'string', multiple: true },
    rule: { type: 'string', multiple: true },
    'include-suppressed': { type: 'boolean' },
    'pcap-out': { type: 'string' },
    'pcap-alert': { type: 'string', multiple: true },
    quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of STRING_FLAGS) options[f] = { type: 'string' };
  for (const f of Object.keys(SWITCHES)) options[f] = { type: 'boolean' };
  const { values: raw, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  const values = raw as Record<string, string | boolean | string[] | undefined>;
  const str = (k: (typeof STRING_FLAGS)[number]) => values[k] as string | undefined;
  if (values.help) return 'help';
  const [cmd, file, ...rest] = positionals;
  if (cmd !== 'analyze' && cmd !== 'learn') throw new UsageError(cmd ? `unknown command "${cmd}"` : 'missing command');
  if (!file) throw new UsageError('missing FILE');
  if (cmd === 'learn' && str('out') === undefined) throw new UsageError('learn needs --out FILE (where to write the baseline)');
  if (cmd === 'learn' && str('baseline') !== undefined) throw new UsageError('--baseline is for analyze; learn writes a new baseline with --out');
  if (cmd === 'analyze' && str('out') !== undefined) throw new UsageError('--out is for learn (analyze writes its output to stdout)');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const format = str('format') ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv' && format !== 'flows' && format !== 'reasons' && format !== 'conn' && format !== 'conn-csv' && format !== 'eve' && format !== 'timeline') {
    throw new UsageError(`--format wants jsonl, csv, eve, flows, reasons, conn, conn-csv or timeline, got "${format}"`);
  }

  const configPath = str('config');
  const o = configPath === undefined ? defaultOptions() : loadConfig(configPath, defaultOptions());
  const set = <T>(v: T | undefined, apply: (v: T) => void) => {
    if (v !== undefined) apply(v);
  };
  const window = num(str('window'), 'window', true);
  if (window !== undefined && window < 1) throw new UsageError('--window must be at least 1');
  set(window, (v) => (o.zscore.window = v));
  set(num(str('threshold'), 'threshold'), (v) => (o.zscore.threshold = v));
  set(num(str('min-samples'), 'min-samples', true), (v) => (o.zscore.minSamples = v));
  set(num(str('min-std-bytes'), 'min-std-bytes'), (v) => (o.zscore.minStdBytes = v));
  set(num(str('min-std-fraction'), 'min-std-fraction'), (v) => (o.zscore.minStdFraction = v));
  set(num(str('zscore-high-min-samples'), 'zscore-high-min-samples', true), (v) => (o.zscore.highMinSamples = v));
  set(num(str('zscore-high-max-factor'), 'zscore-high-max-factor'), (v) => (o.zscore.highMaxFactor = v));
  set(num(str('tcp-timeout'), 'tcp-timeout'), (v) => (o.flow.tcpTimeoutS = v));
  set(num(str('udp-timeout'), 'udp-timeout'), (v) => (o.flow.udpTimeoutS = v));
  set(num(str('icmp-timeout'), 'icmp-timeout'), (v) => (o.flow.icmpTimeoutS = v));
  set(num(str('chunk-bytes'), 'chunk-bytes', true), (v) => (o.chunkBytes = v));
  set(num(str('max-alerts'), 'max-alerts', true), (v) => (o.maxAlerts = v));
  set(num(str('seed'), 'seed', true), (v) => (o.seed = v));
  set(num(str('portscan-ports'), 'portscan-ports', true), (v) => (o.rules.portscan.threshold = v));
  set(num(str('portscan-window'), 'portscan-window'), (v) => (o.rules.portscan.windowS = v));
  set(num(str('synflood-syns'), 'synflood-syns', true), (v) => (o.rules.synflood.threshold = v));
  set(num(str('synflood-window'), 'synflood-window'), (v) => (o.rules.synflood.windowS = v));
  set(num(str('synflood-slow-syns'), 'synflood-slow-syns', true), (v) => (o.rules.synfloodSlow.threshold = v));
  set(num(str('synflood-slow-window'), 'synflood-slow-window'), (v) => (o.rules.synfloodSlow.windowS = v));
  set(num(str('synflood-completed'), 'synflood-completed'), (v) => (o.rules.synflood.completedFraction = v));
  set(num(str('large-size'), 'large-size', true), (v) => (o.rules.largesize.bytes = v));
  set(num(str('community-id-seed'), 'community-id-seed', true), (v) => (o.communityIdSeed = v));
  set(num(str('flow-window'), 'flow-window'), (v) => (o.flowFeatures.windowS = v));
  set(num(str('lateness'), 'lateness'), (v) => (o.flowFeatures.latenessS = v));
  set(num(str('metric-window'), 'metric-window'), (v) => (o.baseline.windowS = v));
  set(num(str('baseline-windows'), 'baseline-windows', true), (v) => (o.baseline.windows = v));
  set(num(str('baseline-warmup'), 'baseline-warmup', true), (v) => (o.baseline.warmup = v));
  set(num(str('profile-threshold'), 'profile-threshold'), (v) => (o.profile.threshold = v));
  set(str('profile-weights'), (v) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
    if (!m) throw new UsageError(`--profile-weights wants S,M (e.g. 0.6,0.4), got "${v}"`);
    o.profile.weights = { statistical: Number(m[1]), ml: Number(m[2]) };
  });
  set(str('warmup'), (v) => {
    const w = parseWarmupText(v);
    if (w.error || w.value === null) throw new UsageError(`--warmup: ${w.error ?? `expected minutes ("10m") or a percent ("25%"), got "${v}"`}`);
    o.profile.warmup = w.value;
  });
  set(str('normal'), (v) => {
    const list = v.split(',').map((e) => e.trim()).filter((e) => e !== '');
    if (list.length === 0) throw new UsageError('--normal wants a comma-separated list such as tcp/80,tcp/443,udp/53');
    o.rules.unusual.normal = list;
  });
  set(str('flow-rule-limit'), (v) => {
    if (v.trim().toLowerCase() === 'off') {
      o.limits.flowrule.enabled = false;
      return;
    }
    const m = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/.exec(v);
    if (!m || Number(m[2]) <= 0) throw new UsageError(`--flow-rule-limit wants K/S (e.g. 10/60) or off, got "${v}"`);
    o.limits.flowrule = { enabled: true, max: Number(m[1]), perS: Number(m[2]) };
  });
  for (const path of (values.blacklist as string[] | undefined) ?? []) o.rules.blacklist.entries.push(...loadBlacklist(path));
  const ruleFlags = new Map<number, string>();
  for (const spec of (values.rule as string[] | undefined) ?? []) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? '' : spec.slice(0, eq).trim();
    const expr = eq < 0 ? '' : spec.slice(eq + 1).trim();
    if (name === '' || expr === '') throw new UsageError(`--rule wants NAME=EXPR, got "${spec}"`);
    let at = o.flowFeatures.rules.findIndex((r) => r.name === name);
    if (at < 0) at = o.flowFeatures.rules.push({ name, expr, severity: 'medium', enabled: true }) - 1;
    else o.flowFeatures.rules[at] = { ...o.flowFeatures.rules[at], expr, enabled: true };
    ruleFlags.set(at, name);
  }
  for (const [flag, apply] of Object.entries(SWITCHES)) if (values[flag]) apply(o);

  const problems = validateOptions(o);
  if (problems.length > 0) {
    throw new UsageError(
      problems
        .map((p) => {
          const m = /^flowFeatures\.rules\[(\d+)\]/.exec(p.path);
          const flag = m ? ruleFlags.get(Number(m[1])) : undefined;
          if (flag !== undefined) return `--rule ${flag}: ${p.message}`;
          return `${configPath === undefined ? 'option' : `option (flags or config file ${configPath})`} ${p.path}: ${p.message}`;
        })
        .join('\n'),
    );
  }
  const run: CliRun = { command: cmd, file, format, options: o, quiet: !!values.quiet, includeSuppressed: !!values['include-suppressed'] };
  if (cmd === 'learn') run.out = str('out');
  const pcapOut = values['pcap-out'] as string | undefined;
  if (pcapOut !== undefined) {
    if (cmd === 'learn') throw new UsageError('--pcap-out is for analyze, not learn');
    if (pcapOut === '') throw new UsageError('--pcap-out wants a file name');
    run.pcapOut = pcapOut;
  }
  const pcapAlerts = values['pcap-alert'] as string[] | undefined;
  if (pcapAlerts !== undefined) {
    if (pcapOut === undefined) throw new UsageError('--pcap-alert needs --pcap-out');
    run.pcapAlerts = pcapAlerts.map((v) => {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < 1) throw new UsageError(`--pcap-alert wants an alert number from 1, got "${v}"`);
      return n;
    });
  }
  const baselinePath = str('baseline');
  if (baselinePath !== undefined) {
    const text = readText(baselinePath, 'baseline file');
    try {
      run.baseline = { path: baselinePath, file: baselineFileFromJson(text, o), sizeBytes: utf8Bytes(text) };
    } catch (e) {
      if (e instanceof BaselineFormatError) throw new UsageError(`${baselinePath}: ${e.message}`);
      throw e;
    }
  }
  return run;
}

/** Loads the core from build/core.wasm (built by `npm run asbuild`). */
export async function nodeEngine(): Promise<Engine> {
  const wasm = readFileSync(new URL('../../build/core.wasm', import.meta.url));
  return new Engine(await instantiateCore(wasm));
}

/** Zero-copy reads for the pipeline: fs.readSync straight into the core's input region. */
export function fileReader(fd: number): DirectReader {
  return { readInto: (target, position) => readSync(fd, target, 0, target.length, position) };
}

/** Node's zlib over the file, in 1 MiB pieces (the pipeline calls it only for gzip content). */
export function fileGunzip(file: string): () => AsyncIterator<Uint8Array> {
  return () =>
    createReadStream(file, { highWaterMark: 1 << 20 })
      .pipe(createGunzip({ chunkSize: 1 << 20 }))
      [Symbol.asyncIterator]();
}

/** The file's content as a web stream, gunzipped when `gzip` (the same bytes the analysis read). */
function contentStream(file: string, gzip: boolean): ReadableStream<Uint8Array> {
  const node = gzip
    ? createReadStream(file, { highWaterMark: 1 << 20 }).pipe(createGunzip({ chunkSize: 1 << 20 }))
    : createReadStream(file, { highWaterMark: 1 << 20 });
  return Readable.toWeb(node) as unknown as ReadableStream<Uint8Array>;
}

/** True when a mark's address is a node name id (100::/64 from CSV/JSON rows). */
function marksHaveNodeNames(result: AnalysisResult): boolean {
  const m = result.marks;
  if (!m) return false;
  for (let b = 0; b + MARK_STRIDE <= m.length; b += MARK_STRIDE) {
    for (const at of [b + MARK_SRC, b + MARK_DST]) {
      if (m[at] !== NODE_PREFIX_BYTE0) continue;
      let zero = true;
      for (let i = 1; i < 12; i++) if (m[at + i] !== 0) zero = false;
      if (zero) return true;
    }
  }
  return false;
}

/**
 * Writes `--format reasons`. Packet-line input: the original lines, re-read from the file
 * (reasonLinesFromOriginal). Other input: packets written as packet lines from the marks; for
 * rows with node names the rows are read again into a fresh NameTable (ids are issued in
 * first-seen order, so they come out the same) to turn the ids back into names.
 */
async function writeReasons(file: string, result: AnalysisResult, out: (s: string) => void): Promise<void> {
  const s = result.summary;
  const emit = (l: string) => out(l + '\n');
  if (s.format === 'lines') {
    const missing = await reasonLinesFromOriginal(result, contentStream(file, s.gzip), emit);
    if (missing > 0) process.stderr.write(`flowlens: ${missing} flagged lines were not found when re-reading ${file} (did it change?)\n`);
    return;
  }
  const names = new NameTable();
  if ((s.format === 'csv' || s.format === 'json' || s.format === 'jsonl') && marksHaveNodeNames(result)) {
    await readRows(contentStream(file, s.gzip), s.format, names, () => undefined);
  }
  forEachReasonLine(result, emit, names);
}

/** Writes the alerts, flows or reasons of `result` in `format` through `out` (whole lines). */
export async function writeOutput(
  file: string,
  result: AnalysisResult,
  format: OutputFormat,
  includeSuppressed: boolean,
  out: (s: string) => void,
): Promise<void> {
  if (format === 'reasons') return writeReasons(file, result, out);
  // #5 timeline: the traffic timeline as CSV (src/io/timeline-csv.ts).
  if (format === 'timeline') {
    if (result.timeline) forEachTimelineCsvLine(result.timeline, (l) => out(l + '\n'));
    return;
  }
  if (format === 'conn') {
    if (result.conns) forEachConnLogLine(result.conns, (l) => out(l + '\n'), communityIdSeedOf(result));
    return;
  }
  if (format === 'conn-csv') {
    if (result.conns) forEachConnCsvLine(result.conns, (l) => out(l + '\n'), communityIdSeedOf(result));
    return;
  }
  if (format === 'flows') {
    for (const l of flowsLines(result, includeSuppressed)) out(l + '\n');
    return;
  }
  const indices = alertIndices(result, includeSuppressed);
  if (format === 'csv') {
    const columns = csvColumns(rowFieldNames(result));
    out(toCsvHeader(columns) + '\n');
    for (const i of indices) out(toCsvRow(alertRow(result, i), columns) + '\n');
  } else if (format === 'eve') {
    for (const i of indices) out(eveLine(result, i) + '\n');
  } else for (const i of indices) out(toJsonlRow(alertRow(result, i)) + '\n');
}

/** Runs the analysis of one file; returns the result (for tests) after writing the outputs. */
export async function runAnalyze(
  file: string,
  format: OutputFormat,
  options: AnalysisOptions,
  out: (s: string) => void,
  includeSuppressed = false,
  extra: Pick<PipelineHooks, 'baseline' | 'learn' | 'collectMarks'> = {},
): Promise<AnalysisResult> {
  // openAsBlob's own error carries no errno; check first so the message says what is wrong.
  accessSync(file, constants.R_OK);
  if (!statSync(file).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  const blob = await openAsBlob(file);
  const fd = openSync(file, 'r');
  let result: AnalysisResult;
  if (format === 'conn' || format === 'conn-csv') options = { ...options, connRecords: { ...options.connRecords, enabled: true } };
  const hooks: PipelineHooks = {
    direct: fileReader(fd),
    gunzip: fileGunzip(file),
    ...extra,
    collectMarks: format === 'reasons' || !!extra.collectMarks,
  };
  try {
    ({ result } = await analyzeBlob(await nodeEngine(), blob, basename(file), options, hooks));
  } finally {
    closeSync(fd);
  }
  await writeOutput(file, result, format, includeSuppressed, out);
  return result;
}

/**
 * Writes `--pcap-out`: the packets of the alerts of `result` (cutIndexes(): needs the analysis run
 * with collectMarks) cut from `file` into `pcapOut`, in the input's format (src/io/pcap-cut.ts);
 * with `alertNumbers` (1-based among the printed alerts) only those alerts' packets
 * (alertPacketIndexes()); a number past the last alert throws a PcapCutError.
 * gzip input: the file is gunzipped again (the record indexes count records of the decompressed
 * stream) and the cut is written uncompressed. Throws a PcapCutError for input that is not a
 * capture, Node's fs errors when `pcapOut` cannot be written.
 */
export async function writePcapCut(
  file: string,
  result: AnalysisResult,
  pcapOut: string,
  includeSuppressed: boolean,
  alertNumbers?: number[],
): Promise<CutResult> {
  const s = result.summary;
  if (s.format !== 'pcap' && s.format !== 'pcapng') throw new PcapCutError(`--pcap-out needs a pcap or pcapng input, this is ${s.format}`);
  let indexes: number[];
  if (alertNumbers === undefined) indexes = cutIndexes(result, includeSuppressed);
  else {
    const printed = alertIndices(result, includeSuppressed);
    indexes = alertNumbers.flatMap((n) => {
      if (n > printed.length) throw new PcapCutError(`--pcap-alert ${n}: there are ${printed.length} alerts`);
      return alertPacketIndexes(result, printed[n - 1]);
    });
  }
  const fd = openSync(pcapOut, 'w');
  try {
    return await cutCapture(contentStream(file, s.gzip), s.format, indexes, (b) => {
      writeSync(fd, b);
    });
  } finally {
    closeSync(fd);
  }
}

/** Buffers stdout writes into 64 KiB pieces (one write per line is slow for big outputs). */
function bufferedStdout(): { out: (s: string) => void; flush: () => void } {
  let buf = '';
  const flush = () => {
    if (buf !== '') process.stdout.write(buf);
    buf = '';
  };
  return {
    out: (s) => {
      buf += s;
      if (buf.length >= 1 << 16) flush();
    },
    flush,
  };
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`flowlens: ${(e as Error).message.replace(/\n/g, '\nflowlens: ')}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let result: AnalysisResult;
  const stdout = bufferedStdout();
  const learning = parsed.command === 'learn';
  try {
    result = await runAnalyze(
      parsed.file,
      parsed.format,
      parsed.options,
      learning ? () => undefined : stdout.out,
      parsed.includeSuppressed,
      learning ? { learn: true } : { baseline: parsed.baseline?.file, collectMarks: parsed.pcapOut !== undefined },
    );
    if (result.baseline && parsed.baseline) result.baseline.sizeBytes = parsed.baseline.sizeBytes;
    if (parsed.pcapOut !== undefined && !result.error) {
      try {
        const cut = await writePcapCut(parsed.file, result, parsed.pcapOut, parsed.includeSuppressed, parsed.pcapAlerts);
        if (!parsed.quiet) process.stderr.write(`flowlens: wrote ${cut.records} packets to ${parsed.pcapOut}\n`);
      } catch (e) {
        process.stderr.write(`flowlens: cannot write ${parsed.pcapOut}: ${(e as Error).message}\n`);
        return 1;
      }
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      process.stderr.write(`flowlens: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  } finally {
    stdout.flush();
  }
  if (learning) {
    if (result.learnedBaseline !== undefined) {
      try {
        writeFileSync(parsed.out!, result.learnedBaseline);
      } catch (e) {
        process.stderr.write(`flowlens: cannot write ${parsed.out}: ${(e as Error).message}\n`);
        return 1;
      }
      if (!parsed.quiet) process.stderr.write(formatLearnSummary(result, parsed.out!, parsed.options) + '\n');
    }
  } else if (!parsed.quiet) process.stderr.write(formatSummary(result) + '\n');
  if (result.error) {
    process.stderr.write(`flowlens: ${parsed.file}: ${result.error.message}\n`);
    return 1;
  }
  return 0;
}

const isMain = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`flowlens: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 70;
    },
  );
}
