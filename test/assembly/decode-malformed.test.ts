// libpcap's savefile-reject corpus (parser_corpus/libpcap_malformed, MANIFEST.md "must be rejected
// gracefully"): each file gives the fatal error libpcap gives, at the header or block at fault,
// and keeps what came before the fault.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { runBytes } from '../helpers/core';
import { readData } from './decode-helpers';

const M = 'parser_corpus/libpcap_malformed/';
// [file, error code, error offset, why (libpcap message)]
const CASES: Array<[string, number, number, string]> = [
  ['linktype-reserved-field-not-zero.pcap', abi.ERR_BAD_FILE_HEADER, 0, 'network type reserved field not zero'],
  ['pcap-empty-file.pcap', abi.ERR_TRUNCATED, 0, 'truncated dump file; read 0 of 4 header bytes'],
  ['pcap-invalid-version-1.pcap', abi.ERR_BAD_FILE_HEADER, 0, 'unsupported savefile version 1.4'],
  ['pcap-invalid-version-2.pcap', abi.ERR_BAD_FILE_HEADER, 0, 'unsupported savefile version 2.5'],
  ['pcap-truncated-hdr-23.pcap', abi.ERR_TRUNCATED, 0, 'truncated dump file; tried to read 24 header bytes'],
  ['pcapng-block-len-not-mult4.pcapng', abi.ERR_BAD_RECORD_HEADER, 28, 'block length not a multiple of 4'],
  ['pcapng-block-len-too-small.pcapng', abi.ERR_BAD_RECORD_HEADER, 28, 'block length 4 < 12'],
  ['pcapng-idb-endofopt-badlen.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'opt_endofopt length != 0'],
  ['pcapng-idb-tsoffset-badlen.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'if_tsoffset length != 8'],
  ['pcapng-idb-tsoffset-dup.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'more than one if_tsoffset'],
  ['pcapng-idb-tsresol-badlen.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'if_tsresol length != 1'],
  ['pcapng-idb-tsresol-bin-high.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'resolution 2^-72 is too high'],
  ['pcapng-idb-tsresol-dec-high.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'resolution 10^-100 is too high'],
  ['pcapng-idb-tsresol-dup.pcapng', abi.ERR_BAD_FILE_HEADER, 28, 'more than one if_tsresol'],
  ['pcapng-invalid-vers-1.pcapng', abi.ERR_BAD_FILE_HEADER, 0, 'unknown SHB version 0.1'],
  ['pcapng-invalid-vers-2.pcapng', abi.ERR_BAD_FILE_HEADER, 0, 'unknown SHB version 1.1'],
  ['pcapng-no-idb.pcapng', abi.ERR_NO_INTERFACE, 28, 'capture file has no IDBs (offset: end of stream)'],
  ['pcapng-packet-before-idb.pcapng', abi.ERR_NO_INTERFACE, 28, 'interface index 0 >= interface count 0'],
  ['pcapng-shb-len-insane.pcapng', abi.ERR_BAD_FILE_HEADER, 0, 'SHB length 2 MiB > 1 MiB'],
  ['pcapng-shb-len-too-small.pcapng', abi.ERR_BAD_FILE_HEADER, 0, 'SHB length 20 < 28'],
  ['pcapng-truncated-shb.pcapng', abi.ERR_TRUNCATED, 0, 'truncated pcapng dump file'],
  ['shb-option-too-long.pcapng', abi.ERR_BAD_FILE_HEADER, 0, 'SHB trailing length differs'],
];

describe('decode: libpcap malformed savefiles', () => {
  for (const [file, code, offset, why] of CASES) {
    it(`${file}: ${why}`, async () => {
      for (const chunk of [1, 5, 1 << 20]) {
        const r = await runBytes(readData(M + file), {}, chunk);
        expect(r.status).toBe(abi.STATUS_ERROR);
        expect(r.errorCode).toBe(code);
        expect(r.errorOffset).toBe(offset);
        // nothing in these files comes before the fault but headers: no packet is invented
        expect(r.counters[abi.C_PACKETS_DECODED]).toBe(0);
        expect(r.counters[abi.C_RECORDS_READ]).toBe(0);
      }
    });
  }
  it('keeps the packets before a fault: a good file followed by a bad record header', async () => {
    const good = readData('attacks/synflood/ppa1e_dosattack.pcap');
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setUint32(8, 0x7fffffff, true);
    const bytes = new Uint8Array(good.length + bad.length);
    bytes.set(good);
    bytes.set(bad, good.length);
    const r = await runBytes(bytes, {}, 1000);
    expect(r.errorCode).toBe(abi.ERR_BAD_RECORD_HEADER);
    expect(r.errorOffset).toBe(good.length);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(100);
  });
});
