// The input of the learned baselines (src/ml/): one finished connection, shaped like a row of
// Zeek's conn.log, as the core will emit it at flow end. Pure data; the learners never change it.
// Calendar helpers for the connection's start time are here too, so every module bins time the
// same way: UTC throughout (a capture carries no time zone, and a baseline learnt in one place
// must score the same elsewhere).

/** One finished connection (Zeek conn.log-like), what the core will emit at flow end. */
export interface Connection {
  /** First packet time, µs since the epoch (UTC). */
  tsUs: number;
  /** Last minus first packet time, seconds. */
  durationS: number;
  /** Addresses as text (IPv4 dotted, IPv6 RFC 5952); orig sent the first packet. */
  orig: string;
  resp: string;
  /** Ports; 0 when the protocol has none. */
  origPort: number;
  respPort: number;
  /** IP protocol number. */
  proto: number;
  /** Wire bytes sent by orig / by resp. */
  origBytes: number;
  respBytes: number;
  /** Packets sent by orig / by resp. */
  origPkts: number;
  respPkts: number;
}

const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 86_400_000_000;

/** Hour of day 0..23 (UTC) of a time in µs since the epoch. */
export function hourOfDay(tsUs: number): number {
  return (((Math.floor(tsUs / US_PER_HOUR) % 24) + 24) % 24);
}

/** Day of week 0..6 (UTC), 0 = Sunday as Date.getUTCDay() (1970-01-01 was a Thursday, 4). */
export function dayOfWeek(tsUs: number): number {
  return (((Math.floor(tsUs / US_PER_DAY) + 4) % 7) + 7) % 7;
}

/** Fraction of the UTC day elapsed at `tsUs`, in [0, 1). */
export function dayFraction(tsUs: number): number {
  return (tsUs - Math.floor(tsUs / US_PER_DAY) * US_PER_DAY) / US_PER_DAY;
}
