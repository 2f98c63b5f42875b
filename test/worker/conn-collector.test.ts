// Connection records through the pipeline (src/worker/conn-collector.ts): every flow end reaches
// result.conns, bounded by connRecords.max with a dropped count; toConnections() gives src/ml's
// Connection shape; `--format conn` (src/io/conn-log.ts) writes a Zeek-style conn.log.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { analyzeBlob } from '../../src/worker/pipeline';
import { toConnections } from '../../src/worker/conn-collector';
import { defaultOptions } from '../../src/rules/options';
import { writeOutput } from '../../src/cli/main';
import { CONN_LOG_FIELDS } from '../../src/io/conn-log';
import { DATA, newEngine } from '../helpers/core';

const FILE = DATA + 'normal/zeek_smtp.pcap';

describe('connection records in the pipeline', () => {
  it('collects one record per flow, as the core counted them, in src/ml Connection shape', async () => {
    const o = defaultOptions();
    o.seed = 3;
    const { result } = await analyzeBlob(await newEngine(), new Blob([readFileSync(FILE)]), 'smtp', o);
    const c = result.conns!;
    expect(c.count).toBe(result.summary.flows);
    expect(result.summary.conns).toBe(c.count);
    expect(result.summary.connsDropped).toBe(0);
    const conns = toConnections(c);
    const smtp = conns.filter((x) => x.respPort === 25 && x.origPort === 1470);
    expect(smtp).toHaveLength(1);
    expect(smtp[0]).toMatchObject({ orig: '10.10.1.4', resp: '74.53.140.153', origPort: 1470, proto: 6 });
    expect(smtp[0].durationS).toBeCloseTo(7.614699 - 0.036986, 5);
    let pk = 0;
    for (let i = 0; i < c.count; i++) pk += c.pktsOrig[i] + c.pktsResp[i];
    expect(pk).toBe(result.summary.packetsDecoded);
    // the SMTP flow re-sent 4 segments after the ICMP "fragmentation needed" that quote them: path
    // MTU discovery, not retransmissions (assembly/detect/tcp-flow.ts; 4 before that rule)
    const i = [...c.origPort].indexOf(1470);
    expect(c.retransmissions[i]).toBe(0);
    expect(c.dataSegments[i]).toBe(33);
    expect(abi.CONN_STATE_SF).toBe(c.state[i]);
  });

  it('keeps at most connRecords.max and counts the rest; none when off', async () => {
    const o = defaultOptions();
    o.connRecords.max = 2;
    const { result } = await analyzeBlob(await newEngine(), new Blob([readFileSync(FILE)]), 'smtp', o);
    expect(result.conns!.count).toBe(2);
    expect(result.summary.connsDropped).toBe(result.summary.flows - 2);
    o.connRecords.enabled = false;
    const off = (await analyzeBlob(await newEngine(), new Blob([readFileSync(FILE)]), 'smtp', o)).result;
    expect(off.conns).toBeUndefined();
    expect(off.summary.conns).toBe(0);
  });

  it('--format conn writes a Zeek conn.log: header, one line per flow by first time, payload bytes', async () => {
    const o = defaultOptions();
    const { result } = await analyzeBlob(await newEngine(), new Blob([readFileSync(FILE)]), 'smtp', o);
    let out = '';
    await writeOutput(FILE, result, 'conn', false, (s) => (out += s));
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe('#separator \\x09');
    expect(lines.find((l) => l.startsWith('#fields'))).toBe(`#fields\t${CONN_LOG_FIELDS.join('\t')}`);
    const rows = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
    expect(rows).toHaveLength(result.summary.flows);
    const ts = rows.map((r) => Number(r[0]));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    const smtp = rows.find((r) => r[3] === '1470')!;
    const f = (k: string) => smtp[CONN_LOG_FIELDS.indexOf(k as (typeof CONN_LOG_FIELDS)[number])];
    expect([f('id.orig_h'), f('id.orig_p'), f('id.resp_h'), f('proto'), f('conn_state')]).toEqual(['10.10.1.4', '1470', '74.53.140.153', 'tcp', 'SF']);
    // Zeek's orig_bytes for this connection: the client's sequence space, 2126810403 - 2126795697 - 1 (the FIN)
    expect(Number(f('orig_bytes'))).toBe(2126810402 - 2126795697);
    expect(f('uid')).toMatch(/^C[0-9A-Za-z]{17}$/);
    expect(lines.at(-1)).toMatch(/^#close\t/);
  });
});
