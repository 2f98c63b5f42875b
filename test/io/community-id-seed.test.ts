// The Community ID seed option (options.communityIdSeed, CLI --community-id-seed, the page's
// "Community ID seed" setting): every community_id written (JSONL/CSV alerts, EVE community_id and
// flow_id, conn.log and conn CSV) uses it. Checked on a real capture against communityId() with the
// seed, which test/io/community-id.test.ts checks against the spec's seed-1 vectors.
import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { parseCli, runAnalyze, UsageError, type CliRun, type OutputFormat } from '../../src/cli/main';
import { communityFlowId, communityId } from '../../src/io/community-id';
import { validateOptions, defaultOptions, mergeOptions } from '../../src/rules/options';
import { allFields } from '../../src/ui/settings-fields';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const SCAN = DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';

async function lines(format: OutputFormat, seed?: number): Promise<string[]> {
  const run = parseCli(['analyze', SCAN, '--format', format, '--seed', '7', ...(seed === undefined ? [] : ['--community-id-seed', String(seed)])]) as CliRun;
  let text = '';
  await runAnalyze(SCAN, format, run.options, (s) => (text += s));
  return text.trimEnd().split('\n');
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58 };

describe('--community-id-seed', () => {
  it('parses 0-65535 into options.communityIdSeed and refuses the rest', () => {
    expect((parseCli(['analyze', 'x.pcap']) as CliRun).options.communityIdSeed).toBe(0);
    expect((parseCli(['analyze', 'x.pcap', '--community-id-seed', '65535']) as CliRun).options.communityIdSeed).toBe(65535);
    expect(() => parseCli(['analyze', 'x.pcap', '--community-id-seed', '65536'])).toThrow(/communityIdSeed.*65535/);
    expect(() => parseCli(['analyze', 'x.pcap', '--community-id-seed', '1.5'])).toThrow(UsageError);
    expect(() => parseCli(['analyze', 'x.pcap', '--community-id-seed=-1'])).toThrow(UsageError);
  });

  it('is an option with a range (config files, stored settings) and a settings field', () => {
    const o = defaultOptions();
    expect(o.communityIdSeed).toBe(0);
    expect(mergeOptions(o, { communityIdSeed: 9 }).options.communityIdSeed).toBe(9);
    expect(validateOptions({ ...o, communityIdSeed: 70000 }).map((p) => p.path)).toEqual(['communityIdSeed']);
    expect(allFields().some((f) => f.path === 'communityIdSeed')).toBe(true);
  });

  it('seeds the alerts’ community_id (JSONL and CSV)', async () => {
    const plain = (await lines('jsonl')).map((l) => JSON.parse(l));
    const seeded = (await lines('jsonl', 1)).map((l) => JSON.parse(l));
    expect(seeded.length).toBe(plain.length);
    let n = 0;
    for (let k = 0; k < seeded.length; k++) {
      const r = seeded[k];
      if (r.community_id === undefined) continue;
      const t = { src: r.src, dst: r.dst, proto: PROTO[r.proto], sport: r.sport, dport: r.dport };
      expect(r.community_id).toBe(communityId(t, 1));
      expect(plain[k].community_id).toBe(communityId(t, 0));
      expect(r.community_id).not.toBe(plain[k].community_id);
      n++;
    }
    expect(n).toBeGreaterThan(900);
    const csv = Papa.parse<Record<string, string>>((await lines('csv', 1)).join('\n'), { header: true }).data;
    expect(csv.map((r) => r.community_id)).toEqual(seeded.map((r) => r.community_id ?? ''));
  });

  it('seeds EVE community_id and flow_id', async () => {
    const ev = (await lines('eve', 1)).map((l) => JSON.parse(l));
    for (const e of ev) {
      const t = { src: e.src_ip, dst: e.dest_ip, proto: 6, sport: e.src_port, dport: e.dest_port };
      expect(e.community_id).toBe(communityId(t, 1));
      expect(e.flow_id).toBe(communityFlowId(t, 1));
    }
  });

  it('seeds the conn.log and conn CSV community_id column', async () => {
    const log = await lines('conn', 1);
    const fields = log.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
    const at = (name: string) => fields.indexOf(name);
    const rows = log.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
    expect(rows.length).toBeGreaterThan(900);
    for (const c of rows) {
      const t = { src: c[at('id.orig_h')], dst: c[at('id.resp_h')], proto: PROTO[c[at('proto')].toUpperCase()], sport: Number(c[at('id.orig_p')]), dport: Number(c[at('id.resp_p')]) };
      expect(c[at('community_id')]).toBe(communityId(t, 1));
    }
    const csv = Papa.parse<Record<string, string>>((await lines('conn-csv', 1)).join('\n'), { header: true }).data;
    expect(csv.map((r) => r.community_id)).toEqual(rows.map((c) => c[at('community_id')]));
  });
});
