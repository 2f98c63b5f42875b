// Learned baselines on real captures (/work/shared/data, ground truth in MANIFEST.md): learn from
// benign traffic, detect on attack captures. Baselines: normal/perf/real_mix (986 benign captures
// merged: 4,824 connections, 989 sources) and normal/zeek_ssh_ssh.pcap (25 connections, 5
// sources; none of the attackers below is among them, so they are unknown sources there).
// "The attacker's connections" are those whose orig is the scanner the manifest names; the first
// probes of a scan look like any failed connection and only the rate features tell them apart, so
// the assertion is on every attacker connection after the first 50 (scans) or 15 (brute force),
// plus the overall share.
import { beforeAll, describe, expect, it } from 'vitest';
import { learn, scoreConnections, type Model, type Scored } from '../../src/ml/baseline-model';
import type { Connection } from '../../src/ml/connection';
import { connectionsOf } from '../helpers/connections';

const CREATED = '2024-01-01T00:00:00.000Z';
const ALERT_MEDIUM = new Set(['MEDIUM', 'HIGH', 'CRITICAL']);

/** The attacker's scored connections in time order. */
function attackerRows(model: Model, conns: Connection[], attacker: string): Scored[] {
  return scoreConnections(model, conns)
    .filter((s) => s.connection.orig === attacker)
    .sort((a, b) => a.connection.tsUs - b.connection.tsUs);
}

let mix: Connection[];
let mixModel: Model;
let ssh: Connection[];
let sshModel: Model;
beforeAll(() => {
  mix = connectionsOf('normal/perf/real_mix_ndpi_zeek_merged.pcap.gz');
  mixModel = learn(mix, {}, CREATED);
  ssh = connectionsOf('normal/zeek_ssh_ssh.pcap');
  sshModel = learn(ssh, {}, CREATED);
});

describe('benign capture against itself', () => {
  it('real_mix: learnt and scored on itself, flags few connections (measured 7 of 4,824)', () => {
    expect(mix.length).toBeGreaterThan(4000);
    expect(mixModel.counts.sources).toBeGreaterThan(900);
    const scored = scoreConnections(mixModel, mix);
    const flagged = scored.filter((s) => s.level !== 'none');
    expect(flagged.length / mix.length).toBeLessThan(0.005);
    const medium = scored.filter((s) => ALERT_MEDIUM.has(s.level));
    expect(medium.length / mix.length).toBeLessThan(0.002);
    for (const s of scored) {
      expect(s.combined).toBeGreaterThanOrEqual(0);
      expect(s.combined).toBeLessThanOrEqual(1);
    }
  });
});

describe('port scans', () => {
  it('TCP SYN scan against real_mix: the scanner (2 training connections) is judged on the population', () => {
    // GT: 192.168.1.10 -> 192.168.1.25, 1002 SYN probes to 1000 ports in 1.24 s; 3 SSDP/UDP others.
    const conns = connectionsOf('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const rows = attackerRows(mixModel, conns, '192.168.1.10');
    expect(rows.length).toBe(1002);
    expect(mixModel.profiles.get('192.168.1.10')!.n).toBeLessThan(mixModel.options.minConnections);
    expect(rows.every((s) => s.basis === 'population' && !s.unknownSource)).toBe(true);
    expect(rows.slice(50).every((s) => ALERT_MEDIUM.has(s.level))).toBe(true);
    expect(rows.filter((s) => ALERT_MEDIUM.has(s.level)).length / rows.length).toBeGreaterThan(0.95);
    expect(rows[500].contributions[0].feature).toBe('connsPerMinute');
    const others = scoreConnections(mixModel, conns).filter((s) => s.connection.orig !== '192.168.1.10');
    expect(others.length).toBe(3);
    expect(others.every((s) => s.level === 'none')).toBe(true);
  });

  it('TCP SYN scan from an unknown source (ssh baseline): newSource is weighed, the scan flagged', () => {
    const rows = attackerRows(sshModel, connectionsOf('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap'), '192.168.1.10');
    expect(rows.every((s) => s.unknownSource && s.contributions.some((c) => c.feature === 'newSource'))).toBe(true);
    expect(rows.slice(50).every((s) => ALERT_MEDIUM.has(s.level))).toBe(true);
  });

  it('UDP scan against real_mix: the scanner is flagged, the target\'s own traffic is not', () => {
    // GT: 192.168.1.10 sends UDP probes to 1001 ports of 192.168.1.25 in 2.6 s.
    const conns = connectionsOf('attacks/portscan/evilfingers_UDP_SCAN.pcap');
    const rows = attackerRows(mixModel, conns, '192.168.1.10');
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.slice(50).every((s) => ALERT_MEDIUM.has(s.level))).toBe(true);
    const target = scoreConnections(mixModel, conns).filter((s) => s.connection.orig === '192.168.1.25');
    expect(target.length).toBeGreaterThan(0);
    expect(target.every((s) => s.level === 'none')).toBe(true);
  });

  it('gives the same scores on every run with the same seed, others with another seed', () => {
    const conns = connectionsOf('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const again = learn(mix, {}, CREATED);
    const a = scoreConnections(mixModel, conns);
    expect(scoreConnections(again, conns)).toEqual(a);
    const other = scoreConnections(learn(mix, { seed: 2 }, CREATED), conns);
    expect(other.map((s) => s.statistical)).toEqual(a.map((s) => s.statistical));
    expect(other.map((s) => s.ml)).not.toEqual(a.map((s) => s.ml));
  });
});

describe('brute force', () => {
  it('FTP brute force from an unknown source (ssh baseline) is flagged once its rate shows', () => {
    // GT: 192.168.56.1 -> 192.168.56.101:21, 30 connections in 59 s, all failed logins.
    const rows = attackerRows(sshModel, connectionsOf('attacks/bruteforce/zeek_ftp_bruteforce.pcap'), '192.168.56.1');
    expect(rows.length).toBe(30);
    expect(rows.slice(15).every((s) => ALERT_MEDIUM.has(s.level))).toBe(true);
    expect(rows[29].contributions[0].feature).toBe('connsPerMinute');
  });
});
