// The JSON form of the core's learned baselines (src/worker/core-baselines.ts): a bit-exact round
// trip of real exports, readable keys, the counts, and every kind of fault refused with its JSON
// path (BaselineFormatError) before anything reaches the core.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine } from '../helpers/core';
import { coreBaselineCounts, coreBaselinesFromJson, coreBaselinesToJson, type CoreBaselinesJson } from '../../src/worker/core-baselines';
import { BaselineFormatError } from '../../src/ml/json-check';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';

/** The records a run over `rel` exports. */
async function exported(rel: string, config: Record<number, number> = {}): Promise<Uint8Array> {
  const engine = await newEngine();
  engine.start({ [abi.CFG_SEED]: 1, ...config }, () => {});
  engine.feed(new Uint8Array(readFileSync(DATA + rel)));
  engine.finish();
  return engine.exportBaselines();
}

const OPTS = DEFAULT_OPTIONS;

describe('core baselines as JSON', () => {
  it('round trip of real exports is bit-exact, with readable keys; counts per kind', async () => {
    for (const rel of ['normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap', 'normal/zeek_ssh_ssh.pcap', 'tcp_behaviour/chrissanders_latency1.pcapng']) {
      const bytes = await exported(rel);
      expect(bytes.length, rel).toBeGreaterThan(0);
      const json = coreBaselinesToJson(bytes, OPTS);
      expect(json.windowS).toBe(OPTS.baseline.windowS);
      expect(json.span).toBe(OPTS.baseline.windows);
      const back = coreBaselinesFromJson(JSON.parse(JSON.stringify(json)), '$.core', OPTS);
      expect(back, rel).toEqual(bytes);
      const c = coreBaselineCounts(bytes);
      const kinds = json.records.map((r) => r.kind);
      expect(c.spikeGlobal).toBe(kinds.filter((k) => k === 'spike-global').length);
      expect(c.spikeDestinations).toBe(kinds.filter((k) => k === 'spike-dst').length);
      expect(c.protocolClasses).toBe(kinds.filter((k) => k === 'proto-class').length);
      expect(c.services).toBe(kinds.filter((k) => k === 'proto-service').length);
      expect(c.longconnServices).toBe(kinds.filter((k) => k === 'longconn-service').length);
      expect(c.latencyServers).toBe(new Set(json.records.filter((r) => r.kind === 'latency-server').map((r) => `${r.addr} ${r.service}`)).size);
    }
    const lat = coreBaselinesToJson(await exported('tcp_behaviour/chrissanders_latency1.pcapng'), OPTS);
    // MANIFEST: 172.16.16.128 -> 74.125.95.104:80, SYN -> SYN/ACK 0.030 s (packets 1 and 2 are
    // 30,107 µs apart); one sample: the mean is the sample, in µs
    const server = lat.records.find((r) => r.kind === 'latency-server' && r.variant === 'server')!;
    expect(server).toMatchObject({ addr: '74.125.95.104', service: 'tcp/80', n: 1, mean: 30107, s: 0 });
    expect(lat.records.find((r) => r.kind === 'proto-class' && r.class === 'tcp')).toMatchObject({ n: 1, mean: 100 });
    expect(lat.records.some((r) => r.kind === 'spike-dst' && r.addr === '74.125.95.104' && r.ageWindows === 0)).toBe(true);
  });

  it('refuses every kind of fault with the JSON path, returning nothing', async () => {
    const good = coreBaselinesToJson(await exported('normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap'), OPTS);
    const idx = (kind: string) => good.records.findIndex((r) => r.kind === kind);
    const dst = idx('spike-dst');
    const lat = idx('latency-server');
    const cls = idx('proto-class');
    const svc = idx('longconn-service');
    const pop = idx('spike-population');
    expect(Math.min(dst, lat, cls, svc, pop)).toBeGreaterThanOrEqual(0);
    const cases: [string, (j: any) => void, string][] = [
      ['not an object', (j) => (j.records = 'x'), '$.core.records'],
      ['other window', (j) => (j.windowS = 5), '$.core.windowS'],
      ['other span', (j) => (j.span = 30), '$.core.span'],
      ['unknown top field', (j) => (j.extra = 1), '$.core'],
      ['unknown kind', (j) => (j.records[0].kind = 'spike-everything'), '$.core.records[0].kind'],
      ['missing n', (j) => delete j.records[dst].n, `$.core.records[${dst}]`],
      ['unknown field', (j) => (j.records[cls].port = 80), `$.core.records[${cls}]`],
      ['NaN (null in JSON)', (j) => (j.records[dst].mean = null), `$.core.records[${dst}].mean`],
      ['string number', (j) => (j.records[dst].s = '0.5'), `$.core.records[${dst}].s`],
      ['negative n', (j) => (j.records[lat].n = -1), `$.core.records[${lat}].n`],
      ['fractional n', (j) => (j.records[lat].n = 2.5), `$.core.records[${lat}].n`],
      ['zero n', (j) => (j.records[svc].n = 0), `$.core.records[${svc}].n`],
      ['negative variance', (j) => (j.records[lat].s = -1e-9), `$.core.records[${lat}].s`],
      ['bad address', (j) => (j.records[dst].addr = '10.0.0.300'), `$.core.records[${dst}].addr`],
      ['bad service', (j) => (j.records[svc].service = 'tcp:80'), `$.core.records[${svc}].service`],
      ['port too large', (j) => (j.records[svc].service = 'udp/65536'), `$.core.records[${svc}].service`],
      ['udp latency server', (j) => (j.records[lat].service = 'udp/53'), `$.core.records[${lat}].service`],
      ['bad class', (j) => (j.records[cls].class = 'sctp'), `$.core.records[${cls}].class`],
      ['bad variant', (j) => (j.records[lat].variant = 'dns'), `$.core.records[${lat}].variant`],
      ['age past the span', (j) => (j.records[dst].ageWindows = OPTS.baseline.windows), `$.core.records[${dst}].ageWindows`],
      ['duplicate', (j) => j.records.push({ ...j.records[dst] }), `$.core.records[${good.records.length}]`],
    ];
    // the population's s is a mean square of log2 rates and may be negative; others may not
    const popNeg = structuredClone(good) as CoreBaselinesJson;
    popNeg.records[pop].s = -1;
    expect(() => coreBaselinesFromJson(popNeg, '$.core', OPTS)).not.toThrow();
    for (const [what, spoil, path] of cases) {
      const j = structuredClone(good);
      spoil(j);
      let err: unknown = null;
      let out: Uint8Array | null = null;
      try {
        out = coreBaselinesFromJson(j, '$.core', OPTS);
      } catch (e) {
        err = e;
      }
      expect(out, what).toBeNull();
      expect(err, what).toBeInstanceOf(BaselineFormatError);
      expect((err as BaselineFormatError).path, what).toBe(path);
      expect((err as Error).message, what).toContain(path);
    }
    // the window mismatch says what to do
    expect(() => coreBaselinesFromJson({ ...good, windowS: 5 }, '$.core', OPTS)).toThrow(/5-s metric windows.*10-s windows.*learn again/);
  });
});
