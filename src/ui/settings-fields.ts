// The settings form as data: every parameter of AnalysisOptions with its label, unit, one-line
// help and input rules, grouped per detector, plus the path helpers the form and its tests use.
// Pure (no DOM): src/ui/settings.ts renders it. Defaults are never written here; they come from
// defaultOptions() (src/rules/options.ts) at render time. Ranges are checked by validateOptions.
import type { AnalysisOptions, WarmupOption } from '../shared/protocol';

/** A numeric input bound to `path` (dot path into AnalysisOptions). The input shows
 *  value / `scale` (e.g. bytes shown as MiB); `integer` applies to the stored value. */
export interface NumberField {
  kind: 'number';
  path: string;
  label: string;
  unit: string;
  help: string;
  integer: boolean;
  /** Stored value = shown value × scale. Default 1. */
  scale?: number;
  /** The field may be empty (stored as undefined): only `seed`. */
  optional?: boolean;
}

/** An on/off switch bound to a boolean at `path`. */
export interface ToggleField {
  kind: 'toggle';
  path: string;
  label: string;
  help: string;
}

/** A rate limit (limits.<detector>): enabled, max alerts, per seconds, shown on one line. */
export interface LimitField {
  kind: 'limit';
  path: string;
  label: string;
  help: string;
}

/** A list editor rendered by the settings panel itself (blacklist, services, flow rules). */
export interface EditorField {
  kind: 'editor';
  path: string;
  editor: 'blacklist' | 'services' | 'rules';
}

/** A text input whose stored value is parsed from the text (`parse`) and shown by `format`:
 *  profile.warmup ("10m", "25%", empty for none). */
export interface TextField {
  kind: 'text';
  path: string;
  label: string;
  unit: string;
  help: string;
  parse: (text: string) => { value: unknown; error?: string };
  format: (value: unknown) => string;
}

export type Field = NumberField | ToggleField | LimitField | EditorField | TextField;

/**
 * Parses a warm-up as typed: "" → null (none); "10m", "10 min", "1.5h" → {minutes}; "25%" →
 * {percent}. Used by the settings form and the CLI (--warmup). Errors name the accepted forms.
 */
export function parseWarmupText(text: string): { value: WarmupOption | null; error?: string } {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'off' || t === 'none') return { value: null };
  const m = /^(\d+(?:\.\d+)?)\s*(m|min|minutes?|h|hours?|%)$/.exec(t);
  const bad = { value: null, error: `expected minutes ("10m"), hours ("1h") or a percent of the connections ("25%"), got "${text.trim()}"` };
  if (!m) return bad;
  const v = Number(m[1]);
  if (m[2] === '%') return v > 0 && v < 100 ? { value: { percent: v } } : { value: null, error: `a percent above 0 and below 100, got ${v}` };
  const minutes = m[2].startsWith('h') ? v * 60 : v;
  return minutes > 0 ? { value: { minutes } } : { value: null, error: `a warm-up above 0 minutes, got ${v}` };
}

/** The text of a warm-up option ("10m", "25%", "" for none). */
export function formatWarmupText(v: unknown): string {
  if (v && typeof v === 'object' && 'minutes' in v) return `${(v as { minutes: number }).minutes}m`;
  if (v && typeof v === 'object' && 'percent' in v) return `${(v as { percent: number }).percent}%`;
  return '';
}

/** A titled block of fields inside a group (one detector variant). */
export interface FieldSection {
  title?: string;
  help?: string;
  fields: Field[];
}

/** One detector (or the flow table, or general limits): a fieldset of the panel. */
export interface FieldGroup {
  id: string;
  title: string;
  help: string;
  sections: FieldSection[];
}

const on = (path: string, label = 'Enabled', help = ''): ToggleField => ({ kind: 'toggle', path, label, help });
const num = (path: string, label: string, unit: string, help: string, integer: boolean, extra: Partial<NumberField> = {}): NumberField => ({
  kind: 'number',
  path,
  label,
  unit,
  help,
  integer,
  ...extra,
});
const limit = (detector: string): LimitField => ({
  kind: 'limit',
  path: `limits.${detector}`,
  label: 'Rate limit',
  help: 'At most this many alerts per sliding window of packet time; the rest are kept but marked suppressed.',
});

/** The settings form, per detector, in display order. Covers every leaf of AnalysisOptions
 *  (test/ui/settings-fields.test.ts checks this against defaultOptions()). */
export const SETTINGS_GROUPS: FieldGroup[] = [
  {
    id: 'zscore',
    title: 'Packet-size z-score',
    help: 'Flags a packet whose size is far from its channel’s recent sizes: z = (size − mean) / σ.',
    sections: [
      {
        fields: [
          on('zscore.enabled'),
          num('zscore.window', 'Window', 'packets', 'Sliding baseline per (source, destination, protocol) channel.', true),
          num('zscore.threshold', 'Threshold', 'σ', 'Flag a packet when |z| exceeds this.', false),
          num('zscore.minSamples', 'Min samples', 'packets', 'Baseline packets before a channel is scored.', true),
          num('zscore.minStdBytes', 'Min σ', 'bytes', 'Absolute floor of σ, so constant channels never divide by zero.', false),
          num('zscore.minStdFraction', 'Min σ fraction', '× |mean|', 'Relative floor of σ as a fraction of the mean.', false),
          num('zscore.highMinSamples', 'High: min samples', 'packets', 'HIGH needs this many baseline packets, an upward z and σ above its floor (0: high from 4× the threshold).', true),
          num('zscore.highMaxFactor', 'High: size factor', '× largest', 'HIGH also needs the packet above this multiple of the largest in the window (0: off).', false),
          limit('zscore'),
        ],
      },
    ],
  },
  {
    id: 'portscan',
    title: 'Port scan',
    help: 'One source probing many ports (or many hosts) of a target within a sliding window of packet time.',
    sections: [
      {
        title: 'Distinct ports',
        help: 'Fires when one source contacts more than N distinct destination ports of one target in T.',
        fields: [
          on('rules.portscan.enabled'),
          num('rules.portscan.threshold', 'Ports (N)', 'ports', 'Distinct destination ports that must be exceeded.', true),
          num('rules.portscan.windowS', 'Window (T)', 's', 'Sliding window, seconds of packet time.', false),
        ],
      },
      {
        title: 'SYN scan (strict)',
        help: 'Fires on more than S SYNs and more than P distinct ports of one target in T.',
        fields: [
          on('rules.portscanSyn.enabled'),
          num('rules.portscanSyn.syns', 'SYNs (S)', 'SYNs', 'SYN packets (SYN set, ACK clear) that must be exceeded.', true),
          num('rules.portscanSyn.ports', 'Ports (P)', 'ports', 'Distinct destination ports that must be exceeded.', true),
          num('rules.portscanSyn.windowS', 'Window (T)', 's', 'Sliding window, seconds of packet time.', false),
        ],
      },
      {
        title: 'Address scan',
        help: 'Fires when one source contacts more than H distinct hosts on one port in T (Zeek: 25 in 300 s).',
        fields: [
          on('rules.addressScan.enabled'),
          num('rules.addressScan.threshold', 'Hosts (H)', 'hosts', 'Distinct destination hosts that must be exceeded.', true),
          num('rules.addressScan.windowS', 'Window (T)', 's', 'Sliding window, seconds of packet time.', false),
        ],
      },
      { fields: [limit('portscan')] },
    ],
  },
  {
    id: 'synflood',
    title: 'SYN flood',
    help: 'Many SYNs (SYN set, ACK clear) in a sliding window of packet time.',
    sections: [
      {
        title: 'One victim',
        help: 'Fires on more than M SYNs to one destination in T while fewer than F of them complete their handshake.',
        fields: [
          on('rules.synflood.enabled'),
          num('rules.synflood.threshold', 'SYNs (M)', 'SYNs', 'SYNs to one destination that must be exceeded.', true),
          num('rules.synflood.windowS', 'Window (T)', 's', 'Sliding window, seconds of packet time.', false),
          num('rules.synflood.completedFraction', 'Completed (F)', '× SYNs',
            'Half-open test, also for low and slow: no alert while at least this fraction of the SYNs complete their handshake (a busy server, not a flood). 1 switches it off.', false),
        ],
      },
      {
        title: 'Low and slow',
        help: 'Fires on more than M SYNs to one destination in a long window T (the completion check above applies), for SYNs the one-victim rule does not flag.',
        fields: [
          on('rules.synfloodSlow.enabled'),
          num('rules.synfloodSlow.threshold', 'SYNs (M)', 'SYNs', 'SYNs to one destination that must be exceeded.', true),
          num('rules.synfloodSlow.windowS', 'Window (T)', 's', 'Sliding window, seconds of packet time.', false),
        ],
      },
      {
        title: 'Spread (no single victim)',
        help: 'Fires on more than M SYNs over all destinations in T (spoofed, randomised floods).',
        fields: [
          on('rules.synfloodSpread.enabled'),
          num('rules.synfloodSpread.threshold', 'SYNs (M)', 'SYNs', 'SYNs over all destinations that must be exceeded.', true),
          num('rules.synfloodSpread.windowS', 'Window (T)', 's', 'Sliding window, seconds of packet time.', false),
        ],
      },
      { fields: [limit('synflood')] },
    ],
  },
  {
    id: 'latency',
    title: 'TCP latency',
    help: 'Handshake round-trip time per server (SYN → SYN/ACK, SYN/ACK → ACK) against its own moving baseline.',
    sections: [
      {
        fields: [
          on('rules.latency.enabled'),
          on('rules.latency.response', 'Request → response', 'Also judge the time from a client’s last data segment to the server’s first answer (includes think time).'),
          num('rules.latency.span', 'Baseline span', 'samples', 'EWMA span N: weight 2 / (N + 1) per new sample.', false),
          num('rules.latency.warmup', 'Warm-up', 'samples', 'Samples a server needs before it is judged.', true),
          num('rules.latency.mediumRatio', 'Medium above', '× mean', 'Multiple of the baseline mean for a medium alert.', false),
          num('rules.latency.highRatio', 'High above', '× mean', 'Multiple of the baseline mean for a high alert.', false),
          num('rules.latency.minExcessMs', 'At least', 'ms', 'A sample must also exceed the mean by this much.', false),
          num('rules.latency.minSigmas', 'And', 'σ', 'A sample must also exceed the mean by this many standard deviations.', false),
          limit('latency'),
        ],
      },
    ],
  },
  {
    id: 'retrans',
    title: 'Retransmissions',
    help: 'Share of a TCP flow’s data segments that were sent again (path loss), judged once per flow.',
    sections: [
      {
        fields: [
          on('rules.retrans.enabled'),
          num('rules.retrans.minSegments', 'Data segments', 'segments', 'Segments a flow needs before it is judged.', true),
          num('rules.retrans.minRetransmissions', 'Retransmissions', 'segments', 'Retransmitted segments a flow needs besides the share.', true),
          num('rules.retrans.medium', 'Medium above', 'fraction', 'Share of retransmitted segments for a medium alert (0.02 = 2 %).', false),
          num('rules.retrans.high', 'High above', 'fraction', 'Share of retransmitted segments for a high alert.', false),
          limit('retrans'),
        ],
      },
    ],
  },
  {
    id: 'longconn',
    title: 'Long connections',
    help: 'Flows much longer than the completed flows of their service, and the fixed 10 min … 24 h ladder.',
    sections: [
      {
        fields: [
          on('rules.longConnections.enabled'),
          num('rules.longConnections.mediumRatio', 'Medium above', '× mean', 'Multiple of the service’s mean duration for a medium alert.', false),
          num('rules.longConnections.highRatio', 'High above', '× mean', 'Multiple of the service’s mean duration for a high alert.', false),
          num('rules.longConnections.minFlows', 'Baseline flows', 'flows', 'Completed flows a service needs before its flows are judged.', true),
          num('rules.longConnections.minDurationS', 'Never below', 's', 'Flows shorter than this are never long.', false),
          num('rules.longConnections.idleBytes', 'Idle under', 'bytes', 'A long flow with fewer bytes is reported as idle.', false),
          on('rules.longConnections.ladder', 'Ladder', 'Report every flow passing 10 min, 30 min, 1 h, 12 h and 24 h (low severity).'),
          limit('longconn'),
        ],
      },
    ],
  },
  {
    id: 'largesize',
    title: 'Large packets',
    help: 'Packets larger than a fixed size (above the Ethernet MTU by default).',
    sections: [{ fields: [on('rules.largesize.enabled'), num('rules.largesize.bytes', 'Larger than', 'bytes', 'Wire length that must be exceeded.', true), limit('largesize')] }],
  },
  {
    id: 'unusual',
    title: 'Unusual services',
    help: 'Flows whose protocol and server port are not in the list of normal services.',
    sections: [{ fields: [on('rules.unusual.enabled'), { kind: 'editor', path: 'rules.unusual.normal', editor: 'services' }, limit('unusual')] }],
  },
  {
    id: 'blacklist',
    title: 'Blacklist',
    help: 'Packets from or to a listed address or CIDR range (IPv4 or IPv6).',
    sections: [{ fields: [on('rules.blacklist.enabled'), { kind: 'editor', path: 'rules.blacklist.entries', editor: 'blacklist' }, limit('blacklist')] }],
  },
  {
    id: 'flowrule',
    title: 'Flow rules',
    help: 'Your own expressions over each flow’s features per tumbling window.',
    sections: [
      {
        fields: [
          on('flowFeatures.enabled'),
          num('flowFeatures.windowS', 'Flow window', 's', 'Tumbling window the features are computed over.', false),
          num('flowFeatures.latenessS', 'Lateness', 's', 'Out-of-order tolerance; must be less than the flow window.', false),
          { kind: 'editor', path: 'flowFeatures.rules', editor: 'rules' },
          limit('flowrule'),
        ],
      },
    ],
  },
  {
    id: 'baseline',
    title: 'Learned baselines',
    help: 'Time is cut into metric windows; traffic spike and protocol shift compare each window with an average of the last N windows (an EWMA).',
    sections: [
      {
        fields: [
          num('baseline.windowS', 'Metric window', 's', 'Tumbling window of packet time the rates and shares are measured over.', false),
          num('baseline.windows', 'Baseline span', 'windows', 'The baseline averages about this many past windows; a silence this long starts it over.', true),
          num('baseline.warmup', 'Warm-up', 'windows', 'Windows a baseline needs before anything is judged against it.', true),
          on('baseline.frozen', 'Keep applied baselines fixed', 'With a baseline applied: judge every window against it as learnt, without adapting it to this capture.'),
        ],
      },
    ],
  },
  {
    id: 'spike',
    title: 'Traffic spike',
    help: 'Bytes per second in a metric window far above its baseline (log scale): over all traffic and per destination host.',
    sections: [
      {
        fields: [
          on('spike.enabled', 'All traffic', 'The rate of every packet together.'),
          on('spike.perDestination', 'Per destination', 'The rate to each destination address; a new host is compared with the other hosts.'),
          num('spike.mediumSigma', 'Medium above', 'σ', 'Medium when the rate is above the baseline mean plus this many σ.', false),
          num('spike.highSigma', 'High above', 'σ', 'High above mean plus this many σ (once the baseline holds half its span).', false),
          num('spike.minStdLog2', 'Min σ', 'log2', 'Floor of σ on the log2 scale: 0.5 means medium needs at least twice the mean.', false),
          num('spike.minBps', 'Min rate', 'B/s', 'No spike below this rate.', false),
          num('spike.highMinBps', 'Min high rate', 'B/s', 'No high spike below this rate.', false),
          num('spike.memoryCapBytes', 'Memory cap', 'MiB', 'The destination table stops growing here and evicts the least recently seen host.', true, { scale: 1024 * 1024 }),
          limit('spike'),
        ],
      },
    ],
  },
  {
    id: 'protoshift',
    title: 'Protocol shift',
    help: 'The share of a window’s packets of one protocol (TCP, UDP, ICMP, ICMPv6, other) or top service rising above its baseline share.',
    sections: [
      {
        fields: [
          on('protocolShift.enabled'),
          on('protocolShift.services', 'Top services', 'Also the 16 busiest services (protocol and server port).'),
          num('protocolShift.points', 'Medium above', 'points', 'Medium when a share rises more than this many percentage points.', false),
          num('protocolShift.highPoints', 'High above', 'points', 'High above this many percentage points.', false),
          num('protocolShift.minPackets', 'Min packets', 'packets', 'Smaller windows are not judged (they still update the baseline).', true),
          limit('protoshift'),
        ],
      },
    ],
  },
  {
    id: 'profile',
    title: 'Per-source profiles',
    help: 'Each connection scored against its source’s learnt profile (statistical score) and an Isolation Forest (ML score); needs a baseline applied or a warm-up.',
    sections: [
      {
        fields: [
          on('profile.enabled', 'Enabled', 'Score connections when a baseline is applied or a warm-up is set.'),
          {
            kind: 'text',
            path: 'profile.warmup',
            label: 'Warm-up',
            unit: 'm or %',
            help: 'Without a baseline: learn from the first minutes ("10m") or percent of connections ("25%") of the capture and detect on the rest; empty for none.',
            parse: parseWarmupText,
            format: formatWarmupText,
          },
          num('profile.weights.statistical', 'Statistical weight', 'weight', 'Combined score = this × statistical + ML weight × ML; the two add up to 1.', false),
          num('profile.weights.ml', 'ML weight', 'weight', 'Weight of the Isolation Forest score.', false),
          num('profile.threshold', 'Alert from', 'score', 'Combined score from which a connection is a low alert.', false),
          num('profile.levels.medium', 'Medium from', 'score', 'Combined score of a medium alert.', false),
          num('profile.levels.high', 'High from', 'score', 'Combined score of a high alert.', false),
          num('profile.levels.critical', 'Critical from', 'score', 'Combined score of a critical alert (shown as high severity, level CRITICAL).', false),
          num('profile.trees', 'Trees', 'trees', 'Isolation Forest trees when a baseline is learnt (Liu, Ting and Zhou 2008: 100).', true),
          num('profile.sampleSize', 'Sub-sample', 'connections', 'Connections per tree (the paper’s 256; at most 4096).', true),
          num('profile.seed', 'Forest seed', 'seed', 'Seed of the forest’s random choices: the same seed gives the same scores.', true),
          num('profile.minConnections', 'Min connections', 'connections', 'A source needs this many training connections for a profile of its own.', true),
          limit('profile'),
        ],
      },
    ],
  },
  {
    id: 'flow',
    title: 'Flow table',
    help: 'How long an idle flow is kept, and how large the table may grow (Zeek’s timeouts by default).',
    sections: [
      {
        fields: [
          num('flow.tcpTimeoutS', 'TCP timeout', 's', 'Idle time before a TCP flow ends.', false),
          num('flow.udpTimeoutS', 'UDP timeout', 's', 'Idle time before a UDP flow ends.', false),
          num('flow.icmpTimeoutS', 'ICMP timeout', 's', 'Idle time before an ICMP flow ends.', false),
          num('flow.otherTimeoutS', 'Other timeout', 's', 'Idle time for other IP protocols.', false),
          num('flow.capacity', 'Initial slots', 'flows', 'Slots allocated at the start; the table doubles when 3/4 full.', true),
          num('flow.memoryCapBytes', 'Memory cap', 'MiB', 'The table stops growing here and evicts the least recently seen flow.', true, { scale: 1024 * 1024 }),
        ],
      },
    ],
  },
  {
    id: 'general',
    title: 'Reading and output',
    help: 'How the file is read and how many alerts are kept.',
    sections: [
      {
        fields: [
          num('chunkBytes', 'Chunk size', 'KiB', 'Bytes read from the file per step.', true, { scale: 1024 }),
          num('maxAlerts', 'Alerts kept', 'alerts', 'Alerts kept in the result; the rest are only counted.', true),
          on('connRecords.enabled', 'Connection records', 'Keep one Zeek conn.log-like record per flow (for baselines and export).'),
          num('connRecords.max', 'Records kept', 'records', 'Connection records kept; the rest are only counted.', true),
          num('seed', 'Hash seed', '', 'Empty: a random seed per analysis.', true, { optional: true }),
          num('communityIdSeed', 'Community ID seed', 'seed', 'Seed (0-65535) of every community_id in the exports; 0 as in Zeek and Suricata. Other tools must use the same seed for the IDs to match.', true),
        ],
      },
    ],
  },
];

/** Every field of SETTINGS_GROUPS, in display order. */
export function allFields(groups: FieldGroup[] = SETTINGS_GROUPS): Field[] {
  return groups.flatMap((g) => g.sections.flatMap((s) => s.fields));
}

/** The value at a dot path ("rules.portscan.threshold") of `o`, or undefined. */
export function getPath(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

/** Sets the value at a dot path of `o` (the parents must exist). */
export function setPath(o: object, path: string, value: unknown): void {
  const keys = path.split('.');
  let t = o as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) t = t[k] as Record<string, unknown>;
  t[keys[keys.length - 1]] = value;
}

/** Dot paths of every non-array leaf (number, boolean, string) of `o`, arrays as one leaf each. */
export function leafPaths(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return prefix ? [prefix] : [];
  return Object.entries(o).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The paths a field writes: a limit writes its three leaves. */
export function fieldPaths(f: Field): string[] {
  return f.kind === 'limit' ? [`${f.path}.enabled`, `${f.path}.max`, `${f.path}.perS`] : [f.path];
}

/**
 * The field path a validation problem belongs to: the longest field path that is `path` itself
 * or a prefix of it followed by "." or "[" ("rules.blacklist.entries[3]" → "rules.blacklist.entries";
 * "limits.flowrule.max" → "limits.flowrule.max"). null when no field matches.
 */
export function fieldForProblem(path: string, paths: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of paths) {
    const match = path === p || (path.startsWith(p) && (path[p.length] === '.' || path[p.length] === '['));
    if (match && (!best || p.length > best.length)) best = p;
  }
  return best;
}

/** What a number input holds: the stored value (shown × scale), or an error for text that is not
 *  a number. Empty text is undefined for optional fields, an error otherwise. */
export function parseNumberInput(text: string, field: Pick<NumberField, 'scale' | 'optional'>): { value: number | undefined; error?: string } {
  const t = text.trim();
  if (t === '') return field.optional ? { value: undefined } : { value: NaN, error: 'Enter a number.' };
  const v = Number(t);
  if (!Number.isFinite(v)) return { value: NaN, error: 'Enter a number.' };
  return { value: v * (field.scale ?? 1) };
}

/** The text a number input shows for stored value `v`: v / scale, without float noise. */
export function formatNumberInput(v: unknown, field: Pick<NumberField, 'scale'>): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '';
  const shown = v / (field.scale ?? 1);
  return String(Number(shown.toPrecision(12)));
}

/** "1,048,576" style default for the help line: the shown default with its unit. */
export function defaultText(f: NumberField, defaults: AnalysisOptions): string {
  const v = getPath(defaults, f.path);
  if (v === undefined) return f.optional ? 'Default: empty.' : '';
  return `Default ${formatNumberInput(v, f)}${f.unit ? ` ${f.unit}` : ''}.`;
}
