// The acceptance test of issue #3: `flowlens analyze --format reasons` on a small packet-line
// stream prints exactly the expected "REASON,<original line>" lines. The stream is written for
// this test so that every reason fires and each expected line follows by hand from the
// documented rules (issue #3; the detectors' header comments in assembly/detect/):
// - BLACKLIST: every packet of a flow with an end in the list (192.168.1.100, 10.0.0.50);
// - PORTSCAN (N = 10, 60 s): probes (the first packet of each flow from its originator, not RST,
//   SYN+ACK or ICMP) by one source to more than N distinct destination ports of one target; every
//   probe from the one that crosses the threshold on is evidence;
// - LARGESIZE (S = 1500): every packet with size > S (1500 itself is not);
// - SYNFLOOD (M = 5, 60 s): more than M SYNs (SYN set, ACK clear) to one destination; every SYN
//   from the crossing one on is evidence (SYN-ACK replies do not count);
// - UNUSUAL (normal: tcp/80, tcp/443, udp/53): every packet of a flow whose server port (the port
//   its first packet was sent to) is not normal for its protocol (tcp/53 and udp/80 are unusual).
// The z-score detector, the strict SYN port scan, the address scan and the spread SYN flood are
// switched off so they cannot interfere. Reasons per packet in the fixed order BLACKLIST,
// PORTSCAN, LARGESIZE, SYNFLOOD, UNUSUAL; packets in input order.
// The same packets as a pcap and as a CSV must give the very same lines (there the line is
// written from the packet's fields; this stream is already in that canonical spelling).
// NEEDS the merged core detectors and pipeline (rule detectors, marks, 'lines' routing).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ipv4, pcap, tcp, udp } from '../assembly/decode-helpers';
import { parseFlagNames } from '../../src/io/packet-lines';

const ROOT = new URL('../../', import.meta.url).pathname;

// prettier-ignore
const STREAM = `1678886400000,192.168.1.20,10.0.0.53,50001,53,UDP,74,NONE
1678886400010,10.0.0.53,192.168.1.20,53,50001,UDP,90,NONE
1678886400100,192.168.1.100,10.0.0.60,51000,80,TCP,60,SYN
1678886400110,10.0.0.60,192.168.1.100,80,51000,TCP,60,SYN-ACK
1678886400120,192.168.1.100,10.0.0.60,51000,80,TCP,52,ACK
1678886400200,192.168.1.20,10.0.0.40,50000,443,TCP,60,SYN
1678886400210,10.0.0.40,192.168.1.20,443,50000,TCP,60,SYN-ACK
1678886400220,192.168.1.20,10.0.0.40,50000,443,TCP,52,ACK
1678886400300,192.168.1.20,10.0.0.40,50000,443,TCP,1500,PSH-ACK
1678886400310,192.168.1.20,10.0.0.40,50000,443,TCP,1501,PSH-ACK
1678886400320,10.0.0.40,192.168.1.20,443,50000,TCP,9014,PSH-ACK
1678886400400,192.168.1.30,10.0.0.50,52000,53,UDP,80,NONE
1678886400410,10.0.0.50,192.168.1.30,53,52000,UDP,120,NONE
1678886400500,192.168.1.40,10.0.0.70,53000,31337,TCP,60,SYN
1678886400510,10.0.0.70,192.168.1.40,31337,53000,TCP,60,SYN-ACK
1678886400520,192.168.1.40,10.0.0.70,53000,31337,TCP,52,ACK
1678886400600,192.168.1.41,10.0.0.80,53001,53,TCP,60,SYN
1678886400700,192.168.1.42,10.0.0.80,53002,80,UDP,100,NONE

1678886401000,192.168.1.10,10.0.0.20,40000,1001,UDP,60,NONE
1678886401050,192.168.1.10,10.0.0.20,40000,1002,UDP,60,NONE
1678886401100,192.168.1.10,10.0.0.20,40000,1003,UDP,60,NONE
1678886401150,192.168.1.10,10.0.0.20,40000,1004,UDP,60,NONE
1678886401200,192.168.1.10,10.0.0.20,40000,1005,UDP,60,NONE
1678886401250,192.168.1.10,10.0.0.20,40000,1006,UDP,60,NONE
1678886401300,192.168.1.10,10.0.0.20,40000,1007,UDP,60,NONE
1678886401350,192.168.1.10,10.0.0.20,40000,1008,UDP,60,NONE
1678886401400,192.168.1.10,10.0.0.20,40000,1009,UDP,60,NONE
1678886401450,192.168.1.10,10.0.0.20,40000,1010,UDP,60,NONE
1678886401500,192.168.1.10,10.0.0.20,40000,1011,UDP,60,NONE
1678886401510,10.0.0.20,192.168.1.10,1011,40000,UDP,70,NONE
1678886401550,192.168.1.10,10.0.0.20,40000,1012,UDP,60,NONE
1678886402000,172.16.0.1,10.0.0.30,45001,80,TCP,60,SYN
1678886402020,172.16.0.2,10.0.0.30,45002,80,TCP,60,SYN
1678886402040,172.16.0.3,10.0.0.30,45003,80,TCP,60,SYN
1678886402050,10.0.0.30,172.16.0.1,80,45001,TCP,60,SYN-ACK
1678886402060,172.16.0.4,10.0.0.30,45004,80,TCP,60,SYN
1678886402080,172.16.0.5,10.0.0.30,45005,80,TCP,60,SYN
1678886402100,172.16.0.6,10.0.0.30,45006,80,TCP,60,SYN
1678886402120,172.16.0.7,10.0.0.30,45007,80,TCP,60,SYN
1678886403000,192.168.1.31,10.0.0.50,52001,8080,TCP,60,SYN
1678886403010,10.0.0.50,192.168.1.31,8080,52001,TCP,60,SYN-ACK
1678886403020,192.168.1.31,10.0.0.50,52001,8080,TCP,2000,PSH-ACK
1678886403030,192.168.1.31,10.0.0.50,52001,8080,TCP,52,FIN-ACK
1678886404000,192.168.1.20,10.0.0.40,50000,443,TCP,52,FIN-ACK
1678886404010,10.0.0.40,192.168.1.20,443,50000,TCP,52,FIN-ACK
`;

// Derived by hand, packet by packet (see the header): the DNS and HTTPS flows are normal; the
// 1500-byte packet is not large; the 1st to 10th UDP probes are only unusual (udp/1001..1010), the
// 11th and 12th cross PORTSCAN's threshold, the reply to the 11th is not a probe; the first five
// SYNs to 10.0.0.30 are within M, the SYN-ACK is not a SYN of the flood, the 6th and 7th are
// evidence; the flow to 10.0.0.50:8080 is blacklisted and unusual, its 2000-byte packet large too.
// prettier-ignore
const EXPECTED = `BLACKLIST,1678886400100,192.168.1.100,10.0.0.60,51000,80,TCP,60,SYN
BLACKLIST,1678886400110,10.0.0.60,192.168.1.100,80,51000,TCP,60,SYN-ACK
BLACKLIST,1678886400120,192.168.1.100,10.0.0.60,51000,80,TCP,52,ACK
LARGESIZE,1678886400310,192.168.1.20,10.0.0.40,50000,443,TCP,1501,PSH-ACK
LARGESIZE,1678886400320,10.0.0.40,192.168.1.20,443,50000,TCP,9014,PSH-ACK
BLACKLIST,1678886400400,192.168.1.30,10.0.0.50,52000,53,UDP,80,NONE
BLACKLIST,1678886400410,10.0.0.50,192.168.1.30,53,52000,UDP,120,NONE
UNUSUAL,1678886400500,192.168.1.40,10.0.0.70,53000,31337,TCP,60,SYN
UNUSUAL,1678886400510,10.0.0.70,192.168.1.40,31337,53000,TCP,60,SYN-ACK
UNUSUAL,1678886400520,192.168.1.40,10.0.0.70,53000,31337,TCP,52,ACK
UNUSUAL,1678886400600,192.168.1.41,10.0.0.80,53001,53,TCP,60,SYN
UNUSUAL,1678886400700,192.168.1.42,10.0.0.80,53002,80,UDP,100,NONE
UNUSUAL,1678886401000,192.168.1.10,10.0.0.20,40000,1001,UDP,60,NONE
UNUSUAL,1678886401050,192.168.1.10,10.0.0.20,40000,1002,UDP,60,NONE
UNUSUAL,1678886401100,192.168.1.10,10.0.0.20,40000,1003,UDP,60,NONE
UNUSUAL,1678886401150,192.168.1.10,10.0.0.20,40000,1004,UDP,60,NONE
UNUSUAL,1678886401200,192.168.1.10,10.0.0.20,40000,1005,UDP,60,NONE
UNUSUAL,1678886401250,192.168.1.10,10.0.0.20,40000,1006,UDP,60,NONE
UNUSUAL,1678886401300,192.168.1.10,10.0.0.20,40000,1007,UDP,60,NONE
UNUSUAL,1678886401350,192.168.1.10,10.0.0.20,40000,1008,UDP,60,NONE
UNUSUAL,1678886401400,192.168.1.10,10.0.0.20,40000,1009,UDP,60,NONE
UNUSUAL,1678886401450,192.168.1.10,10.0.0.20,40000,1010,UDP,60,NONE
PORTSCAN,1678886401500,192.168.1.10,10.0.0.20,40000,1011,UDP,60,NONE
UNUSUAL,1678886401500,192.168.1.10,10.0.0.20,40000,1011,UDP,60,NONE
UNUSUAL,1678886401510,10.0.0.20,192.168.1.10,1011,40000,UDP,70,NONE
PORTSCAN,1678886401550,192.168.1.10,10.0.0.20,40000,1012,UDP,60,NONE
UNUSUAL,1678886401550,192.168.1.10,10.0.0.20,40000,1012,UDP,60,NONE
SYNFLOOD,1678886402100,172.16.0.6,10.0.0.30,45006,80,TCP,60,SYN
SYNFLOOD,1678886402120,172.16.0.7,10.0.0.30,45007,80,TCP,60,SYN
BLACKLIST,1678886403000,192.168.1.31,10.0.0.50,52001,8080,TCP,60,SYN
UNUSUAL,1678886403000,192.168.1.31,10.0.0.50,52001,8080,TCP,60,SYN
BLACKLIST,1678886403010,10.0.0.50,192.168.1.31,8080,52001,TCP,60,SYN-ACK
UNUSUAL,1678886403010,10.0.0.50,192.168.1.31,8080,52001,TCP,60,SYN-ACK
BLACKLIST,1678886403020,192.168.1.31,10.0.0.50,52001,8080,TCP,2000,PSH-ACK
LARGESIZE,1678886403020,192.168.1.31,10.0.0.50,52001,8080,TCP,2000,PSH-ACK
UNUSUAL,1678886403020,192.168.1.31,10.0.0.50,52001,8080,TCP,2000,PSH-ACK
BLACKLIST,1678886403030,192.168.1.31,10.0.0.50,52001,8080,TCP,52,FIN-ACK
UNUSUAL,1678886403030,192.168.1.31,10.0.0.50,52001,8080,TCP,52,FIN-ACK
`;

const dir = mkdtempSync(join(tmpdir(), 'flowlens-reasons-'));
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const BLACKLIST = write('blacklist.txt', '# the issue\'s list\n192.168.1.100, 10.0.0.50\n');
const FLAGS = [
  '--format', 'reasons', '--blacklist', BLACKLIST, '--normal', 'tcp/80,tcp/443,udp/53', '--portscan-ports', '10',
  '--large-size', '1500', '--synflood-syns', '5', '--no-zscore', '--no-portscan-syn', '--no-address-scan', '--no-synflood-spread',
  '--seed', '1',
];

/** The data lines of STREAM as fields. */
const packets = STREAM.split('\n').filter((l) => l.trim() !== '').map((l) => l.split(','));

/** The stream as a pcap with raw IPv4 frames (link type 101); wire length = the size field. */
function asPcap(): Uint8Array {
  return pcap(101, packets.map(([ms, src, dst, sport, dport, proto, size, flags]) => {
    const a = src.split('.').map(Number), b = dst.split('.').map(Number);
    const l4 = proto === 'TCP' ? tcp(+sport, +dport, parseFlagNames(flags)) : udp(+sport, +dport, 4);
    const ip = ipv4(a, b, proto === 'TCP' ? 6 : 17, l4);
    new DataView(ip.buffer, ip.byteOffset).setUint16(2, +size); // IP total length = the packet's size
    return { sec: Math.floor(+ms / 1000), frac: (+ms % 1000) * 1000, data: ip, wire: +size };
  }));
}

/** The stream as a CSV with a header and numeric TCP flags. */
function asCsv(): string {
  return 'timestamp,src,dst,sport,dport,proto,size,flags\n' +
    packets.map(([ms, src, dst, sport, dport, proto, size, flags]) => [ms, src, dst, sport, dport, proto, size, parseFlagNames(flags)].join(',')).join('\n') + '\n';
}

describe('flowlens analyze --format reasons (issue #3 acceptance)', () => {
  it('prints exactly the expected reason lines for the packet-line stream', () => {
    const r = cli(['analyze', write('stream.txt', STREAM), ...FLAGS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/records: 45 read, 45 decoded, 0 skipped/);
    expect(r.stdout).toBe(EXPECTED);
  });

  it('gives the same lines with the settings in a config file, and from a gzip copy', () => {
    const config = write('config.json', JSON.stringify({
      zscore: { enabled: false },
      rules: {
        blacklist: { entries: ['192.168.1.100', '10.0.0.50'] },
        portscan: { threshold: 10 },
        portscanSyn: { enabled: false },
        addressScan: { enabled: false },
        synflood: { threshold: 5 },
        synfloodSpread: { enabled: false },
        largesize: { bytes: 1500 },
        unusual: { normal: ['tcp/80', 'tcp/443', 'udp/53'] },
      },
    }));
    const r = cli(['analyze', write('stream2.txt', STREAM), '--format', 'reasons', '--config', config, '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(EXPECTED);
    const gz = cli(['analyze', write('stream.gz', gzipSync(STREAM)), ...FLAGS]);
    expect(gz.code, gz.stderr).toBe(0);
    expect(gz.stdout).toBe(EXPECTED);
  });

  it('gives the same lines for the same packets as a pcap and as a CSV', () => {
    const p = cli(['analyze', write('stream.pcap', asPcap()), ...FLAGS]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stderr).toMatch(/records: 45 read, 45 decoded, 0 skipped/);
    expect(p.stdout).toBe(EXPECTED);
    const c = cli(['analyze', write('stream.csv', asCsv()), ...FLAGS]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toBe(EXPECTED);
  });

  it('prints the original line as written, skipping blank and bad lines in the count', () => {
    const text = [
      '1678886400000,10.0.0.1,10.0.0.2,1000,443,tcp,60,syn',
      '',
      'this line is bad',
      '1678886400100, 10.0.0.1 ,10.0.0.2,1000,443,Tcp,1600,psh-ack',
      '1678886400200,10.0.0.1,10.0.0.2,1000,443,6,1600,ACK-PSH',
    ].join('\r\n') + '\r\n';
    const r = cli(['analyze', write('odd.txt', text), '--format', 'reasons', '--large-size', '1500', '--normal', 'tcp/443', '--no-zscore']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/line 3: /);
    expect(r.stdout).toBe(
      'LARGESIZE,1678886400100, 10.0.0.1 ,10.0.0.2,1000,443,Tcp,1600,psh-ack\n' +
      'LARGESIZE,1678886400200,10.0.0.1,10.0.0.2,1000,443,6,1600,ACK-PSH\n',
    );
  });
});
