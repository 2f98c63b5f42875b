// The file hash of a session (src/worker/hash.ts): the incremental SHA-256 against the FIPS 180-4
// examples and node:crypto, over real captures fed in uneven chunks (block boundaries crossed in
// every way), and through Blob.stream() as the worker reads it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSha256, sha256OfBlob } from '../../src/worker/hash';
import { createWorkerApi } from '../../src/worker/service';
import { DATA, newEngine } from '../helpers/core';
import { rng } from '../helpers/rng';
import { MessageChannel } from 'node:worker_threads';
import * as Comlink from 'comlink';
import type { FlowlensWorkerApi } from '../../src/worker/api';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const once = (b: Uint8Array) => {
  const h = createSha256();
  h.update(b);
  return h.digestHex();
};

describe('SHA-256 of a session file', () => {
  it('gives the FIPS 180-4 example digests', () => {
    const enc = new TextEncoder();
    expect(once(enc.encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(once(new Uint8Array(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(once(enc.encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with node:crypto for every length around the block and padding edges', () => {
    const r = rng(3);
    for (let n = 0; n <= 200; n++) {
      const b = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
      expect(once(b)).toBe(hex(b));
    }
  });

  it('hashes real captures fed in random chunks, and through Blob.stream()', async () => {
    const r = rng(9);
    for (const rel of ['attacks/bruteforce/zeek_ssh_sshguess.pcap', 'normal/zeek_ssh_ssh.pcap']) {
      const bytes = new Uint8Array(readFileSync(DATA + rel));
      const h = createSha256();
      for (let o = 0; o < bytes.length; ) {
        const n = Math.floor(r() * 300);
        h.update(bytes.subarray(o, o + n));
        o += n;
      }
      expect(h.digestHex()).toBe(hex(bytes));
      expect(await sha256OfBlob(new Blob([bytes]))).toBe(hex(bytes));
      expect(await createWorkerApi(newEngine).fileSha256(new Blob([bytes]))).toBe(hex(bytes));
    }
  });

  it('is served by the worker API over Comlink (the page passes the File, not its bytes)', async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(createWorkerApi(newEngine), port1 as unknown as Comlink.Endpoint);
    const remote = Comlink.wrap<FlowlensWorkerApi>(port2 as unknown as Comlink.Endpoint);
    const bytes = new Uint8Array(readFileSync(DATA + 'attacks/bruteforce/zeek_ssh_sshguess.pcap'));
    expect(await remote.fileSha256(new Blob([bytes]))).toBe(hex(bytes));
    port1.close();
    port2.close();
  });

  it('cannot be updated or digested after its digest', () => {
    const h = createSha256();
    h.digestHex();
    expect(() => h.update(new Uint8Array(1))).toThrow(/after digest/);
    expect(() => h.digestHex()).toThrow(/twice/);
  });
});
