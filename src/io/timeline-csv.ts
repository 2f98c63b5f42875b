// The traffic timeline (protocol.ts TrafficTimeline) as CSV: one row per bin, for the CLI's
// `--format timeline` and any other export. Pure; no DOM, no Node APIs.
import { TIMELINE_CLASSES, type TrafficTimeline } from '../shared/protocol';

const CLASS_NAMES = TIMELINE_CLASSES.map((c) => c.toLowerCase());

/** Header columns: bin_start (ISO 8601 UTC, ms), bin_us (bin width, µs), packets, bytes (wire),
 *  then <class>_packets and <class>_bytes per TIMELINE_CLASSES entry (tcp, udp, icmp, icmpv6,
 *  other). */
export const TIMELINE_CSV_COLUMNS: readonly string[] = [
  'bin_start',
  'bin_us',
  'packets',
  'bytes',
  ...CLASS_NAMES.map((c) => `${c}_packets`),
  ...CLASS_NAMES.map((c) => `${c}_bytes`),
];

/** Calls `line` with the header, then one row per bin (empty bins included, so the rows are
 *  evenly spaced in time), without line ends. Bin k starts at startUs + k·binUs; a bin start is
 *  written to the millisecond (the core's bins start on whole milliseconds). */
export function forEachTimelineCsvLine(t: TrafficTimeline, line: (s: string) => void): void {
  line(TIMELINE_CSV_COLUMNS.join(','));
  for (let k = 0; k < t.bins; k++) {
    const startMs = (t.startUs + k * t.binUs) / 1000;
    const cells: (string | number)[] = [new Date(Math.floor(startMs)).toISOString(), t.binUs, t.packets[k], t.bytes[k]];
    for (const c of t.classPackets) cells.push(c[k]);
    for (const c of t.classBytes) cells.push(c[k]);
    line(cells.join(','));
  }
}
