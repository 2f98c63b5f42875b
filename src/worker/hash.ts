// SHA-256 of a file, read as a stream (Blob.stream()) and hashed incrementally, so that a capture
// of any size is hashed in constant memory (WebCrypto's crypto.subtle.digest needs the whole
// input in one buffer). The hash is @noble/hashes' SHA-256 (FIPS 180-4), checked against
// node:crypto on real captures and on the FIPS 180-4 example vectors (test/store/session-hash.test.ts).

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** An incremental SHA-256: update() with chunks of any size, then digestHex() once. */
export interface Sha256 {
  update(chunk: Uint8Array): void;
  /** Lowercase hex digest (64 characters); the hasher cannot be updated afterwards. */
  digestHex(): string;
}

/** A fresh incremental SHA-256 (FIPS 180-4, from @noble/hashes). */
export function createSha256(): Sha256 {
  const h = sha256.create();
  let done = false;
  return {
    update(chunk) {
      if (done) throw new Error('SHA-256: update after digest');
      h.update(chunk);
    },
    digestHex() {
      if (done) throw new Error('SHA-256: digest taken twice');
      done = true;
      return bytesToHex(h.digest());
    },
  };
}

/** Hex SHA-256 of `file`'s bytes, read chunk by chunk from Blob.stream(). */
export async function sha256OfBlob(file: Blob): Promise<string> {
  const hasher = createSha256();
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hasher.update(value);
  }
  return hasher.digestHex();
}
