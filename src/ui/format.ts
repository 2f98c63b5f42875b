// Pure formatting of numbers, sizes, times and labels for the page. No DOM, no state: every
// function maps a value to a display string. Times are UTC, always; packet time, never wall time.
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../shared/abi';

/** µs since the epoch → "2010-04-07T17:29:29.782123Z" (UTC, microseconds). "—" for NaN/±∞. */
export function formatUtcUs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  const secs = Math.floor(us / 1e6);
  const frac = Math.round(us - secs * 1e6); // 0..1e6
  const carry = frac >= 1e6 ? 1 : 0;
  const d = new Date((secs + carry) * 1000);
  if (Number.isNaN(d.getTime())) return '—';
  const iso = d.toISOString(); // yyyy-mm-ddThh:mm:ss.000Z (or ±yyyyyy for far years)
  return `${iso.slice(0, iso.length - 5)}.${String(carry ? 0 : frac).padStart(6, '0')}Z`;
}

/** A duration in µs → "2.047 s", "3 min 12.5 s", "9728 d 4 h" (packet time). */
export function formatDurationUs(us: number): string {
  if (!Number.isFinite(us) || us < 0) return '—';
  const s = us / 1e6;
  if (s < 1e-3) return `${us.toFixed(0)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(3)} ms`;
  if (s < 60) return `${s.toFixed(3)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${(s % 60).toFixed(1)} s`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Integer with thousands separators: 150489 → "150,489". "—" for NaN. */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? intFmt.format(n) : '—';
}

/** Bytes → "9,812 B" below 10 KiB, else "668.6 KiB", "55.6 MiB", ... (binary units). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  if (n < 10 * 1024) return `${formatInt(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A rate per second: "12,345 pkt/s". */
export function formatRate(n: number, unit: string): string {
  return Number.isFinite(n) ? `${formatInt(n)} ${unit}/s` : '—';
}

/** Signed z with two decimals: +3.42, −4.10 (U+2212 minus for readability). */
export function formatZ(z: number): string {
  if (!Number.isFinite(z)) return '—';
  const s = Math.abs(z).toFixed(2);
  return z < 0 ? `\u2212${s}` : `+${s}`;
}

/** A byte statistic (mean, σ) with one decimal. */
export function formatStat(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : '—';
}

/** SEV_* → "low" | "medium" | "high" | "sev N". */
export function severityName(sev: number): string {
  if (sev === SEV_HIGH) return 'high';
  if (sev === SEV_MEDIUM) return 'medium';
  if (sev === SEV_LOW) return 'low';
  return `sev ${sev}`;
}

/** Channel label "src → dst · proto". */
export function channelLabel(src: string, dst: string, proto: string): string {
  return `${src} \u2192 ${dst} \u00b7 ${proto}`;
}
