import { it } from 'vitest';
import { readData } from '/work/main/test/assembly/decode-helpers';
it('x', () => {
  const b = readData('normal/perf/real_mix_ndpi_zeek_merged.pcap.gz');
  const v = new DataView(b.buffer, b.byteOffset);
  let o = 24; let i = 0;
  while (o + 16 <= b.length) {
    const cap = v.getUint32(o + 8, true); const d = o + 16;
    let et = v.getUint16(d + 12); let q = d + 14;
    while (et === 0x8100 || et === 0x88a8 || et === 0x9100) { et = v.getUint16(q + 2); q += 4; }
    if (et === 0x800 && q + 20 <= d + cap) {
      const ihl = (b[q] & 15) * 4, tot = v.getUint16(q + 2), p = b[q + 9], fo = v.getUint16(q + 6) & 0x1fff;
      if (tot !== 0 && tot < ihl) console.log('tot<ihl', i, tot, ihl);
      if (ihl < 20) console.log('ihl', i, ihl);
      if (p === 6 && fo === 0 && q + ihl + 13 <= d + cap && (b[q + ihl + 12] >> 4) < 5) console.log('doff', i, b[q + ihl + 12] >> 4, 'cap', cap);
    }
    if (et === 0x890d || et === 0x6666 || et === 0x9999 || et === 0x8899) console.log('et', et.toString(16), i, Buffer.from(b.subarray(q, q + 24)).toString('hex'));
    o = d + cap; i++;
  }
});
