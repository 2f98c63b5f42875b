// alert-rows: AnalysisResult → AlertRow → JSON Lines / CSV, whole and row by row.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { DET_ZSCORE, SEV_HIGH, SEV_LOW } from '../../src/shared/abi';
import { DEFAULT_OPTIONS, type AnalysisResult, type Summary } from '../../src/shared/protocol';
import {
  alertRecords, alertRow, csvColumns, rowFieldNames, toCsv, toCsvHeader, toCsvRow, toJsonl, toJsonlRow,
} from '../../src/io/alert-rows';

function result(withRows: boolean): AnalysisResult {
  const n = 2;
  return {
    ok: true,
    warnings: [],
    cancelled: false,
    summary: {} as Summary,
    options: DEFAULT_OPTIONS,
    channels: [
      { src: 'A', dst: 'B', proto: 'TCP', key: new Uint8Array(36), alerts: 1 },
      { src: '2001:db8::1', dst: '=1+2', proto: 'UDP', key: new Uint8Array(36), alerts: 1 },
    ],
    alerts: {
      count: n,
      tsUs: Float64Array.from([1678886406e6, 1678886407123456]),
      size: Float64Array.from([5000, 100]),
      z: Float64Array.from([38.94736842, -16.66666]),
      mean: Float64Array.from([1100, 600]),
      std: Float64Array.from([100, 100 / 3]),
      samples: Uint32Array.from([3, 1]),
      severity: Uint8Array.from([SEV_HIGH, SEV_LOW]),
      detector: Uint8Array.from([DET_ZSCORE, DET_ZSCORE]),
      recordIndex: Uint32Array.from([6, 7]),
      recordOffset: Float64Array.from([-1, -1]),
      sport: Uint16Array.from([0, 5353]),
      dport: Uint16Array.from([0, 53]),
      channel: Uint32Array.from([0, 1]),
    },
    rowFields: withRows
      ? [
          { timestamp: '1678886406', source_node: 'A', note: '<script>x</script>', n: '-1' },
          { timestamp: '1678886407', source_node: '2001:db8::1', note: '@SUM(A1)', nested: { a: [1, 2] } },
        ]
      : undefined,
  };
}

describe('alertRow', () => {
  it('describes an alert in fields and plain English', () => {
    const r = alertRow(result(false), 0);
    expect(r).toEqual({
      detector: 'zscore', severity: 'high', score: 38.95, z: 38.947, ts: 1678886406, src: 'A', dst: 'B', sport: 0, dport: 0,
      proto: 'TCP', size: 5000, mean: 1100, std: 100, samples: 3, threshold: 3, record: 7,
      message: "Packet of 5000 B on A → B (TCP) is 38.9σ above the channel's mean of 1100 B (σ 100 B over 3 packets; threshold 3σ)",
    });
    const s = alertRow(result(true), 1);
    expect(s.message).toBe("Packet of 100 B on [2001:db8::1]:5353 → =1+2:53 (UDP) is 16.7σ below the channel's mean of 600 B (σ 33.3 B over 1 packet; threshold 3σ)");
    expect(s.ts).toBe(1678886407.123456);
    expect(s.std).toBe(33.33);
    expect(s.fields).toEqual(result(true).rowFields![1]);
    expect(alertRecords(result(true))).toEqual([alertRow(result(true), 0), s]);
  });
});

describe('JSON Lines', () => {
  it('one object per line, whole or row by row', () => {
    const rows = alertRecords(result(true));
    const text = toJsonl(rows);
    expect(text).toBe(rows.map((r) => toJsonlRow(r) + '\n').join(''));
    const back = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(back).toEqual(rows);
  });
});

describe('CSV', () => {
  it('has a header, base columns, then field.<name> columns; round-trips through papaparse', () => {
    const res = result(true);
    const rows = alertRecords(res);
    const cols = csvColumns(rowFieldNames(res));
    expect(cols.slice(-5)).toEqual(['field.timestamp', 'field.source_node', 'field.note', 'field.n', 'field.nested']);
    expect(rowFieldNames(res)).toEqual(['timestamp', 'source_node', 'note', 'n', 'nested']);
    const text = toCsv(rows);
    expect(text).toBe([toCsvHeader(csvColumns(rowFieldNames(res))), ...rows.map((r) => toCsvRow(r, csvColumns(rowFieldNames(res))))].join('\n') + '\n');
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data[0]).toMatchObject({ detector: 'zscore', severity: 'high', score: '38.95', src: 'A', record: '7', 'field.note': '<script>x</script>', 'field.n': '-1', 'field.nested': '' });
    // Formula-looking text is defused with a leading apostrophe; plain negative numbers are not.
    expect(parsed.data[1]).toMatchObject({ dst: "'=1+2", 'field.note': "'@SUM(A1)", 'field.nested': '{"a":[1,2]}', z: '-16.667' });
    expect(parsed.data[1].message).toMatch(/^Packet of 100 B/);
  });

  it('streams: toCsvHeader(rows) and toCsvRow(row) agree when rows share their fields', () => {
    const rows = alertRecords(result(false));
    const header = toCsvHeader(rows);
    expect(header.split(',')).toEqual(csvColumns());
    const line = toCsvRow(rows[0]);
    expect(Papa.parse<string[]>(line).data[0].length).toBe(csvColumns().length);
    expect(toCsvHeader([])).toBe(header);
  });
});
