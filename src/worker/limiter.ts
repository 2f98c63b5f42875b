// Alert rate limiting per detector (options.limits): at most `max` reported alerts per `perS`
// seconds of packet time. Nothing is dropped: the collector keeps a suppressed alert in the
// columns with suppressed = 1 and counts it. Runs in the worker once per raised alert.
//
// The rule, precisely. Alerts of one detector are judged one at a time in the order the core (or
// the flow rules) raise them, by their first time t (AlertColumns.tsUs). Let e be the judging time:
// e = max(t, every earlier alert's e) — the detector's watermark. The alert is reported when fewer
// than `max` earlier REPORTED alerts of the detector have e' > e - perS (a sliding window of perS
// seconds ending at e, open at its old end); otherwise it is suppressed. Suppressed alerts never
// count against later ones.
// Alerts arrive roughly in packet-time order, but not exactly: an episode is raised at the packet
// that crosses its threshold, and a flow window when it closes (up to one window length plus the
// lateness bound after its first packet). An alert whose t is older than the watermark is judged
// at the watermark, as if it arrived late — it never reopens a window that already passed. So
// "at most `max` per `perS` seconds" holds exactly for the judging times; in the alerts' own first
// times a window can hold more only when they arrived out of order.
import type { AlertLimitOptions, RateLimit } from '../shared/protocol';
import { DETECTOR_NAMES } from '../shared/protocol';

/** The sliding-window limiter of one detector. Memory: one f64 per reported alert in the window
 *  (at most `max`). */
export class RateLimiter {
  private readonly windowUs: number;
  private times: Float64Array;
  private head = 0;
  private n = 0;
  private watermark = -Infinity;

  /** `max` alerts (integer >= 1) per `perS` seconds (> 0). */
  constructor(
    readonly max: number,
    readonly perS: number,
  ) {
    this.windowUs = perS * 1e6;
    this.times = new Float64Array(Math.max(1, Math.min(max, 64)));
  }

  /** Judges an alert with first time `tsUs` (µs); true = report it, false = suppress it. */
  admit(tsUs: number): boolean {
    if (tsUs > this.watermark) this.watermark = tsUs;
    const e = this.watermark;
    const cap = this.times.length;
    while (this.n > 0 && this.times[this.head] <= e - this.windowUs) {
      this.head = (this.head + 1) % cap;
      this.n--;
    }
    if (this.n >= this.max) return false;
    if (this.n === cap) this.grow();
    this.times[(this.head + this.n) % this.times.length] = e;
    this.n++;
    return true;
  }

  private grow(): void {
    const cap = this.times.length;
    const next = new Float64Array(Math.min(this.max, cap * 2));
    for (let i = 0; i < this.n; i++) next[i] = this.times[(this.head + i) % cap];
    this.times = next;
    this.head = 0;
  }
}

/** One limiter per detector id (abi.DET_*), from options.limits (keys: DETECTOR_NAMES lower-case).
 *  A detector without an enabled limit reports everything. */
export class DetectorLimits {
  private readonly limiters: (RateLimiter | null)[] = [];

  constructor(limits: Partial<AlertLimitOptions> = {}) {
    DETECTOR_NAMES.forEach((name, det) => {
      const l = (limits as Record<string, RateLimit | undefined>)[name.toLowerCase()];
      this.limiters[det] = det > 0 && l?.enabled ? new RateLimiter(l.max, l.perS) : null;
    });
  }

  /** Judges an alert of detector `det` with first time `tsUs`: true = report, false = suppress. */
  admit(det: number, tsUs: number): boolean {
    const l = this.limiters[det];
    return l ? l.admit(tsUs) : true;
  }
}
