// Test helper: the packet records of a pcap or pcapng file, framing parsed here (independently of
// src/io/pcap-cut.ts), to compare a cut capture with the original record by record.

/** Every packet record of a capture (pcap: 16-byte header + data; pcapng: the whole EPB/SPB/OPB),
 *  and the leading non-packet bytes/blocks. Little-endian captures only (these are). */
export function records(b: Uint8Array, format: 'pcap' | 'pcapng'): { head: Buffer[]; packets: Buffer[] } {
  const buf = Buffer.from(b);
  const head: Buffer[] = [];
  const packets: Buffer[] = [];
  if (format === 'pcap') {
    head.push(buf.subarray(0, 24));
    for (let at = 24; at + 16 <= buf.length; ) {
      const incl = buf.readUInt32LE(at + 8);
      packets.push(buf.subarray(at, at + 16 + incl));
      at += 16 + incl;
    }
  } else {
    for (let at = 0; at + 12 <= buf.length; ) {
      const type = buf.readUInt32LE(at);
      const len = buf.readUInt32LE(at + 4);
      const block = buf.subarray(at, at + len);
      if (type === 6 || type === 3 || type === 2) packets.push(block);
      else if (packets.length === 0) head.push(block);
      at += len;
    }
  }
  return { head, packets };
}
