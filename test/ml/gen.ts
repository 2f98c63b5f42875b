// Generated connections for the ml tests: a client that behaves the same way every day, with
// planted deviations. Deterministic (mulberry32).
import type { Connection } from '../../src/ml/connection';
import { rng } from '../helpers/rng';

/** 2024-01-01T00:00:00Z, a Monday, in µs. */
export const T0_US = Date.UTC(2024, 0, 1) * 1000;
export const HOUR_US = 3_600_000_000;

export function conn(over: Partial<Connection> = {}): Connection {
  return {
    tsUs: T0_US + 10 * HOUR_US,
    durationS: 1,
    orig: '10.0.0.1',
    resp: '10.0.0.2',
    origPort: 50000,
    respPort: 443,
    proto: 6,
    origBytes: 1000,
    respBytes: 20000,
    origPkts: 10,
    respPkts: 20,
    ...over,
  };
}

/**
 * `days` working days of `client`: between 09:00 and 17:00 UTC, one connection every ~2 minutes
 * to one of a few servers on tcp/443 (80 %) or udp/53 (20 %), sizes log-normal around 1 kB out and
 * 20 kB back.
 */
export function officeClient(seed: number, client = '10.0.0.1', days = 5): Connection[] {
  const r = rng(seed);
  const g = () => {
    const u = 1 - r();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  };
  const out: Connection[] = [];
  for (let d = 0; d < days; d++) {
    let t = T0_US + d * 24 * HOUR_US + 9 * HOUR_US;
    const end = t + 8 * HOUR_US;
    while (t < end) {
      const dns = r() < 0.2;
      out.push(
        conn({
          tsUs: Math.round(t),
          orig: client,
          resp: dns ? '10.0.0.53' : `10.0.1.${1 + Math.floor(r() * 4)}`,
          origPort: 40000 + Math.floor(r() * 20000),
          respPort: dns ? 53 : 443,
          proto: dns ? 17 : 6,
          durationS: dns ? 0.01 * Math.exp(0.3 * g()) : 2 * Math.exp(0.5 * g()),
          origBytes: Math.round((dns ? 80 : 1000) * Math.exp(0.3 * g())),
          respBytes: Math.round((dns ? 160 : 20000) * Math.exp(0.5 * g())),
          origPkts: dns ? 1 : 8 + Math.floor(r() * 5),
          respPkts: dns ? 1 : 15 + Math.floor(r() * 10),
        }),
      );
      t += 60e6 + r() * 120e6;
    }
  }
  return out;
}
