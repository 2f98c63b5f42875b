// The worker's cutPackets (src/worker/service.ts over src/worker/packet-cut.ts) through the same
// service object the page uses, in Node: analyse a real capture, ask for the packets of one alert,
// of several, and the evidence packets of all alerts, and check the new capture record by record
// against the original file's records (framing parsed here, independently of src/io/pcap-cut.ts) at
// the indexes the CLI's own analysis with collectMarks gives (alertPacketIndexes / cutIndexes).
// gzip input gives the same cut; row input and bad indexes are refused.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../../src/worker/service';
import { runAnalyze } from '../../src/cli/main';
import { alertPacketIndexes, cutIndexes } from '../../src/io/pcap-cut';
import { defaultOptions } from '../../src/rules/options';
import { newEngine } from '../helpers/core';
import { records } from '../helpers/capture-records';
import { flaggedFlowRecords, flowKeys } from '../../src/ui/exports';
import { flowsInScope } from '../../src/ui/alert-detail';
import { alertScope } from '../../src/ui/wireshark-filter';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const SCAN = DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const NG = DATA + 'attacks/bruteforce/sbousseaden_zerologon_netlogon_bruteforce.pcapng';

async function setup(file: string, bytes: Uint8Array = readFileSync(file)) {
  const o = defaultOptions();
  o.seed = 11;
  const api = createWorkerApi(newEngine);
  const shown = await api.analyze(new Blob([bytes as BlobPart]), file.slice(file.lastIndexOf('/') + 1), o);
  const marked = await runAnalyze(file, 'jsonl', o, () => undefined, false, { collectMarks: true });
  expect(shown.alerts.count).toBe(marked.alerts.count);
  expect(Array.from(shown.alerts.recordIndex)).toEqual(Array.from(marked.alerts.recordIndex));
  return { api, shown, marked, original: records(readFileSync(file), file.endsWith('ng') ? 'pcapng' : 'pcap') };
}

describe('cutPackets (worker)', () => {
  it('one alert and several alerts of a pcap: exactly their packets, original bytes, file order', async () => {
    const { api, marked, original } = await setup(SCAN);
    const a = marked.alerts;
    const scan = [...Array(a.count).keys()].find((i) => a.detector[i] === 3)!; // PORTSCAN: many marked packets
    const want = alertPacketIndexes(marked, scan);
    expect(want.length).toBeGreaterThan(100);
    const one = await api.cutPackets({ alerts: [scan] });
    expect(one.format).toBe('pcap');
    expect(one.records).toBe(want.length);
    const got = records(one.bytes, 'pcap');
    expect(got.head[0].equals(original.head[0])).toBe(true);
    expect(got.packets.length).toBe(want.length);
    want.forEach((r, k) => expect(got.packets[k].equals(original.packets[r]), `record ${r}`).toBe(true));

    const several = [scan, 0, 5, a.count - 1];
    const union = [...new Set(several.flatMap((i) => alertPacketIndexes(marked, i)))].sort((x, y) => x - y);
    const many = await api.cutPackets({ alerts: several });
    const gotMany = records(many.bytes, 'pcap').packets;
    expect(gotMany.length).toBe(union.length);
    union.forEach((r, k) => expect(gotMany[k].equals(original.packets[r])).toBe(true));
  });

  it('the evidence packets of all alerts equal the CLI --pcap-out selection (cutIndexes)', async () => {
    const { api, marked, original } = await setup(SCAN);
    const want = cutIndexes(marked);
    const all = await api.cutPackets({ allAlerts: true });
    const got = records(all.bytes, 'pcap').packets;
    expect(got.length).toBe(want.length);
    expect(want.length).toBeLessThan(original.packets.length);
    want.forEach((r, k) => expect(got[k].equals(original.packets[r])).toBe(true));
  });

  it('a pcapng alert: section and interface blocks kept, the alert’s packet blocks as they are', async () => {
    const { api, marked, original } = await setup(NG);
    const i = Math.floor(marked.alerts.count / 2);
    const want = alertPacketIndexes(marked, i);
    const cut = await api.cutPackets({ alerts: [i] });
    expect(cut.format).toBe('pcapng');
    const got = records(cut.bytes, 'pcapng');
    expect(got.head.length).toBeGreaterThanOrEqual(2); // SHB + IDB
    expect(got.head[0].equals(original.head[0])).toBe(true);
    expect(got.packets.length).toBe(want.length);
    want.forEach((r, k) => expect(got.packets[k].equals(original.packets[r])).toBe(true));
  });

  it('gzip input: the same cut (uncompressed) as the plain file', async () => {
    const plain = await setup(SCAN);
    const gz = await setup(SCAN, gzipSync(readFileSync(SCAN)));
    const a = await plain.api.cutPackets({ alerts: [3] });
    const b = await gz.api.cutPackets({ alerts: [3] });
    expect(b.records).toBeGreaterThan(0);
    expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
  });

  it('refuses alert indexes outside the result, an empty list, row input, and no analysis', async () => {
    const { api, shown } = await setup(SCAN);
    await expect(api.cutPackets({ alerts: [shown.alerts.count] })).rejects.toThrow(/does not exist/);
    await expect(api.cutPackets({ alerts: [] })).rejects.toThrow(/no alert/);
    const rows = createWorkerApi(newEngine);
    await expect(rows.cutPackets({ alerts: [0] })).rejects.toThrow(/no analysis/);
    const csv = 'timestamp_ms,src,dst,sport,dport,proto,size,flags\n' + Array.from({ length: 50 }, (_, k) => `${1000 + k},10.0.0.1,10.0.0.2,${1000 + k},80,TCP,${k === 40 ? 9000 : 60},S`).join('\n');
    await rows.analyze(new Blob([csv]), 'rows.csv', defaultOptions());
    await expect(rows.cutPackets({ allAlerts: true })).rejects.toThrow(/only pcap and pcapng/);
  });
});

describe('cutPackets {flows} (all flagged flows)', () => {
  it('cuts every packet of the flagged flows, both directions: as many as the connection records count', async () => {
    const { api, marked, original } = await setup(SCAN);
    const c = marked.conns!;
    const recs = flaggedFlowRecords(marked);
    expect(recs.length).toBeGreaterThan(900);
    const expected = recs.reduce((n, k) => n + c.pktsOrig[k] + c.pktsResp[k], 0);
    const withReplies = recs.filter((k) => c.pktsResp[k] > 0).length;
    expect(withReplies).toBeGreaterThan(100); // both directions are in the flows
    const cut = await api.cutPackets({ flows: flowKeys(marked, recs) });
    expect(cut.records).toBe(expected);
    // Every cut record is an original record (in file order) ...
    const got = records(cut.bytes, 'pcap').packets;
    let at = 0;
    for (const p of got) {
      while (at < original.packets.length && !original.packets[at].equals(p)) at++;
      expect(at).toBeLessThan(original.packets.length);
      at++;
    }
    // ... and the core, re-reading the cut, finds exactly the chosen flows' 5-tuples again.
    const dir = mkdtempSync(join(tmpdir(), 'flowlens-flows-'));
    writeFileSync(join(dir, 'cut.pcap'), cut.bytes);
    const o = defaultOptions();
    o.seed = 11;
    const again = await runAnalyze(join(dir, 'cut.pcap'), 'jsonl', o, () => undefined);
    expect(again.summary.packetsDecoded).toBe(expected);
    const key = (cc: typeof c, k: number) => [cc.names[cc.orig[k]], cc.origPort[k], cc.names[cc.resp[k]], cc.respPort[k], cc.proto[k]].join('|');
    const want = new Set(recs.map((k) => key(c, k)));
    const seen = new Set(Array.from({ length: again.conns!.count }, (_, k) => key(again.conns!, k)));
    expect(seen).toEqual(want);
  });

  it('one UNUSUAL alert’s flow: exactly its packets', async () => {
    const { api, marked } = await setup(SCAN);
    const c = marked.conns!;
    const i = [...Array(marked.alerts.count).keys()].find((k) => marked.alerts.detector[k] === 6)!;
    const { indices } = flowsInScope(c, alertScope(marked, i), Infinity);
    expect(indices.length).toBe(1);
    const k = indices[0];
    const cut = await api.cutPackets({ flows: flowKeys(marked, indices) });
    expect(cut.records).toBe(c.pktsOrig[k] + c.pktsResp[k]);
    await expect(api.cutPackets({ flows: [] })).rejects.toThrow(/no flow/);
  });
});
