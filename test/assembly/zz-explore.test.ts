import { it } from 'vitest';
import * as abi from '/work/main/src/shared/abi';
import { runBytes } from '/work/main/test/helpers/core';
import { readManifest, readData } from '/work/main/test/assembly/decode-helpers';
it('explore', async () => {
  const rows = readManifest();
  const out: string[] = [];
  let n = 0;
  for (const r of rows) {
    if (!/\.(pcap|pcapng|cap)(\.gz)?$/.test(r.path)) continue;
    n++;
    const b = readData(r.path);
    const x = await runBytes(b);
    const c = x.counters;
    const dec = c[abi.C_PACKETS_DECODED], rec = c[abi.C_RECORDS_READ];
    const skips = c[3]+c[4]+c[5]+c[6];
    const bad = dec + skips !== rec || (r.packets !== null && rec !== r.packets) || (r.ipv4 !== null && (c[abi.C_IPV4] !== r.ipv4 || c[abi.C_IPV6] !== r.ipv6));
    if (bad || x.errorCode) out.push(`${r.path} st=${x.status} err=${x.errorCode}@${x.errorOffset} rec=${rec}/${r.packets} dec=${dec} v4=${c[abi.C_IPV4]}/${r.ipv4} v6=${c[abi.C_IPV6]}/${r.ipv6} nonip=${r.nonIp} tr=${c[3]} ul=${c[4]} ni=${c[5]} bh=${c[6]} lt=${c[abi.C_LINKTYPE]} [${r.linkCell.slice(0,40)}]`);
  }
  console.log(n + ' files\n' + out.join('\n'));
}, 600000);
