// Community ID v1 against the spec's published vectors (corelight/community-id-spec
// baseline/baseline_deflt.json and baseline_seed1.json, commit c4ec2bc; the ICMP "ports" there
// are the spec's mapped ones, which communityId() maps to again unchanged) and SHA-1 against
// FIPS 180-4's examples.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64, communityFlowId, communityId, ipProtoNumber, sha1 } from '../../src/io/community-id';

type V = [proto: number, saddr: string, daddr: string, sport: number | null, dport: number | null, deflt: string, seed1: string];
const VECTORS: V[] = [
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 135, 136, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 136, 135, '1:dGHyGvjMfljg6Bppwm3bg0LO8TY=', '1:kHa1FhMYIT6Ym2Vm2AOtoOARDzY='],
  [58, 'fe80::260:97ff:fe07:69ea', 'fe80::200:86ff:fe05:80da', 135, 136, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, 'fe80::200:86ff:fe05:80da', 'fe80::260:97ff:fe07:69ea', 136, 135, '1:zavyT/cezQr1fmImYCwYnMXbgck=', '1:2hSqmsDZ2kdcY9kbiUzOEBic0iM='],
  [58, '3ffe:501:1800:2345::2', '3ffe:507:0:1:200:86ff:fe05:80da', 3, 0, '1:2ObVBgIn28oZvibYZhZMBgh7WdQ=', '1:lVEtCZpYu84Xqaa++3lXFyuu2n4='],
  [58, '3ffe:501:410:0:2c0:dfff:fe47:33e', '3ffe:507:0:1:200:86ff:fe05:80da', 1, 4, '1:hLZd0XGWojozrvxqE0dWB1iM6R0=', '1:W8MHwXpWzpoSTD+cGcaJr4u0ys8='],
  [58, '3ffe:507:0:1:200:86ff:fe05:80da', '3ffe:501:0:1001::2', 128, 129, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, '3ffe:501:0:1001::2', '3ffe:507:0:1:200:86ff:fe05:80da', 129, 128, '1:+TW+HtLHvV1xnGhV1lv7XoJrqQg=', '1:GfZxjAkDk2MkegpBYHV6tadtFXQ='],
  [58, 'fe80::200:86ff:fe05:80da', 'ff02::2', 133, 134, '1:hO+sN4H+MG5MY/8hIrXPqc4ZQz0=', '1:L7Ka0ZMYu+J3bL4ulW2PrqyXNo8='],
  [58, 'fe80::260:97ff:fe07:69ea', 'ff02::1', 134, 133, '1:pkvHqCL88/tg1k4cPigmZXUtL00=', '1:K/ee5UCqAMAQXDorP5nSa2CGLjc='],
  [1, '192.168.0.89', '192.168.0.1', 8, 0, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '192.168.0.1', '192.168.0.89', 0, 8, '1:X0snYXpgwiv9TZtqg64sgzUn6Dk=', '1:03g6IloqVBdcZlPyX8r0hgoE7kA='],
  [1, '10.0.0.1', '10.0.0.2', 11, 0, '1:YHxtAirCG//0OzkcVAukqKQN9xM=', '1:XjUibYHaafLQ3pxQeiMI8g25q20='],
  [6, '2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 63943, 25, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [6, '2607:f8b0:400c:c03::1a', '2001:470:e5bf:dead:4957:2174:e82c:4887', 25, 63943, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=', '1:eJYTW6AOzFLlSUoESovMjnu7rMw='],
  [132, '192.168.170.8', '192.168.170.56', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [132, '192.168.170.56', '192.168.170.8', 7, 7, '1:MP2EtRCAUIZvTw6MxJHLV7N7JDs=', '1:5w3ZRjeKBzqT3zsaEECDGjUbYeg='],
  [6, '128.232.110.120', '66.35.250.204', 34855, 80, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [6, '66.35.250.204', '128.232.110.120', 80, 34855, '1:LQU9qZlK+B5F3KDmev6m5PMibrg=', '1:3V71V58M3Ksw/yuFALMcW0LAHvc='],
  [17, '192.168.1.52', '8.8.8.8', 54585, 53, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [17, '8.8.8.8', '192.168.1.52', 53, 54585, '1:d/FP5EW3wiY1vCndhwleRRKHowQ=', '1:Q9We8WO3piVF8yEQBNJF4uiSVrI='],
  [46, '10.1.12.1', '10.1.12.2', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
  [46, '10.1.12.2', '10.1.12.1', null, null, '1:KHlLkgoJW7ifUTyTSgyVfkFHzKw=', '1:rYir8gphR31noO9iDRQmF/BteEI='],
];

describe('communityId', () => {
  it.each(VECTORS)('proto %i %s -> %s (%s, %s)', (proto, src, dst, sport, dport, deflt, seed1) => {
    const t = { proto, src, dst, sport: sport ?? 0, dport: dport ?? 0 };
    expect(communityId(t)).toBe(deflt);
    expect(communityId(t, 1)).toBe(seed1);
  });

  it('maps an ICMP echo reply (type 0, code 0) to the echo request pair', () => {
    expect(communityId({ proto: 1, src: '192.168.0.1', dst: '192.168.0.89', sport: 0, dport: 0 })).toBe('1:X0snYXpgwiv9TZtqg64sgzUn6Dk=');
  });

  it('has none for node names, mixed families and bad protocols', () => {
    expect(communityId({ proto: 6, src: 'host-a', dst: '10.0.0.1', sport: 1, dport: 2 })).toBeUndefined();
    expect(communityId({ proto: 6, src: '::1', dst: '10.0.0.1', sport: 1, dport: 2 })).toBeUndefined();
    expect(communityId({ proto: 300, src: '10.0.0.2', dst: '10.0.0.1', sport: 1, dport: 2 })).toBeUndefined();
  });

  it('gives a flow id that is the same both ways and a safe integer', () => {
    const a = communityFlowId({ proto: 6, src: '66.35.250.204', dst: '128.232.110.120', sport: 80, dport: 34855 })!;
    expect(Number.isSafeInteger(a)).toBe(true);
    expect(communityFlowId({ proto: 6, src: '128.232.110.120', dst: '66.35.250.204', sport: 34855, dport: 80 })).toBe(a);
  });

  it('reads protocol names', () => {
    expect([ipProtoNumber('TCP'), ipProtoNumber('ICMPv6'), ipProtoNumber('47'), ipProtoNumber('DNS')]).toEqual([6, 58, 47, undefined]);
  });
});

describe('sha1 and base64', () => {
  it('match FIPS 180-4 examples and node:crypto on lengths around the block edges', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(sha1(new TextEncoder().encode('abc')))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(hex(sha1(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
    for (let n = 0; n < 200; n++) {
      const m = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(hex(sha1(m))).toBe(createHash('sha1').update(m).digest('hex'));
      expect(base64(m)).toBe(Buffer.from(m).toString('base64'));
    }
  });
});
