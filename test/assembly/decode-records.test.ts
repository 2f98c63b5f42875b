// FORMAT_RECORDS: packed REC_STRIDE rows (built here the way src/io packs CSV/JSON rows) walked
// with carry across chunks; counters and the truncated-tail rule.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { runBytes } from '../helpers/core';

function packRows(n: number): Uint8Array {
  const out = new Uint8Array(n * abi.REC_STRIDE);
  const v = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const o = i * abi.REC_STRIDE;
    v.setBigInt64(o + abi.REC_TS_US, BigInt(1_700_000_000_000_000 + i * 1000), true);
    // src ::ffff:10.0.0.x, dst 100::7 (a node name id)
    out[o + abi.REC_SRC + 10] = 0xff;
    out[o + abi.REC_SRC + 11] = 0xff;
    out.set([10, 0, 0, i & 255], o + abi.REC_SRC + 12);
    out[o + abi.REC_DST] = abi.NODE_PREFIX_BYTE0;
    out[o + abi.REC_DST + 15] = 7;
    v.setUint16(o + abi.REC_SPORT, 1000 + i, true);
    v.setUint16(o + abi.REC_DPORT, 80, true);
    out[o + abi.REC_PROTO] = 6;
    out[o + abi.REC_TCP_FLAGS] = 2;
    v.setUint16(o + abi.REC_PROTO_LABEL, 256 + 3, true);
    v.setUint32(o + abi.REC_WIRE_LEN, 60 + (i % 10), true);
    v.setUint32(o + abi.REC_INDEX, i, true);
  }
  return out;
}

const REC = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };

describe('decode: packed records', () => {
  it('counts every row and its bytes, in any chunking', async () => {
    const rows = packRows(1000);
    let bytes = 0;
    for (let i = 0; i < 1000; i++) bytes += 60 + (i % 10);
    for (const chunk of [1, 7, 64, 1000, 1 << 20]) {
      const r = await runBytes(rows, REC, chunk);
      expect(r.status).toBe(abi.STATUS_DONE);
      expect(r.counters[abi.C_FORMAT]).toBe(abi.FORMAT_RECORDS);
      expect(r.counters[abi.C_RECORDS_READ]).toBe(1000);
      expect(r.counters[abi.C_PACKETS_DECODED]).toBe(1000);
      expect(r.counters[abi.C_BYTES_DECODED]).toBe(bytes);
      expect(r.counters[abi.C_BYTES_CONSUMED]).toBe(rows.length);
    }
  });

  it('an empty record stream is a clean end', async () => {
    const r = await runBytes(new Uint8Array(0), REC);
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.counters[abi.C_RECORDS_READ]).toBe(0);
  });

  it('a partial last row is one truncated record at its offset', async () => {
    const rows = packRows(10).subarray(0, 9 * abi.REC_STRIDE + 5);
    const r = await runBytes(rows, REC, 13);
    expect(r.status).toBe(abi.STATUS_ERROR);
    expect(r.errorCode).toBe(abi.ERR_TRUNCATED);
    expect(r.errorOffset).toBe(9 * abi.REC_STRIDE);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(9);
    expect(r.counters[abi.C_SKIP_TRUNCATED]).toBe(1);
    expect(r.counters[abi.C_RECORDS_READ]).toBe(10);
  });
});
