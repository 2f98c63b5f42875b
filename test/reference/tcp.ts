// Plain TypeScript reference of the per-flow TCP state of assembly/detect/tcp-flow.ts and the
// conn_state of assembly/detect/conn.ts, written from their header comments, for the
// differential test in test/assembly/tcp.test.ts. One flow at a time, packets in input order.
// Sequence numbers are compared with RFC 1982 serial arithmetic on 32 bits.

export interface RefSegment {
  tsUs: number;
  /** Sent by the originator (the flow's first sender). */
  orig: boolean;
  /** TCP flags byte (FIN 1, SYN 2, RST 4, PSH 8, ACK 16). */
  flags: number;
  seq: number;
  /** TCP payload bytes. */
  len: number;
  /** Acknowledgement number (default 0) and the window field as sent (default 65535). */
  ack?: number;
  win?: number;
}

export interface RefTcpResult {
  dataSegments: number;
  retransmissions: number;
  payloadOrig: number;
  payloadResp: number;
  /** Handshake RTT SYN -> ACK, µs, or -1. */
  rttUs: number;
  /** Latency samples: [variant, µs] (0 server, 1 client, 2 response). */
  samples: Array<[number, number]>;
  state: string;
}

const u32 = (v: number) => v >>> 0;
/** (i32)(a - b) < 0: a before b. */
const before = (a: number, b: number) => ((a - b) | 0) < 0;

/** Runs one flow's segments through the reference (`response`: take response samples). */
export function referenceTcp(segs: RefSegment[], response: boolean): RefTcpResult {
  const nxt = [0, 0];
  const nxtAt = [0, 0];
  const known = [false, false];
  let data = 0;
  let retx = 0;
  const pay = [0, 0];
  let synAt = 0;
  let synAckAt = 0;
  let rtt = -1;
  let srvDone = false;
  let waiting = false;
  let reqAt = 0;
  let reqRetx = false;
  const samples: Array<[number, number]> = [];
  const sent = [0, 0];
  const flagsOr = [0, 0];
  // Receive windows: d's last ACK advertised 0 (closed); d sent new data into the other's closed
  // window and the other has not acknowledged all of d's data since (over): d's re-sends meanwhile
  // are flow control, not retransmissions.
  const closed = [false, false];
  const over = [false, false];
  for (const p of segs) {
    const d = p.orig ? 0 : 1;
    const t = p.tsUs;
    // Handshake (flow-table's completion test on the flags OR-ed before this packet).
    const before0 = flagsOr[0];
    const handshakeDone = p.orig && (p.flags & 0x16) === 0x10 && (before0 & 0x12) === 0x02 && (flagsOr[1] & 0x12) === 0x12;
    sent[d]++;
    flagsOr[d] |= p.flags;
    if (p.orig) {
      if ((p.flags & 0x12) === 0x02) {
        if (rtt < 0) synAt = t;
      } else if (handshakeDone && rtt < 0) {
        if (t - synAckAt >= 0) samples.push([1, t - synAckAt]);
        if (t - synAt >= 0) rtt = t - synAt;
      }
    } else if ((p.flags & 0x12) === 0x12) {
      if (!srvDone && rtt < 0 && (flagsOr[0] & 0x02) !== 0) {
        if (t - synAt >= 0) samples.push([0, t - synAt]);
        srvDone = true;
      }
      synAckAt = t;
    }
    if (p.flags & 0x04) continue;
    if ((p.flags & 0x12) === 0x10) {
      closed[d] = (p.win ?? 65535) === 0;
      if (over[1 - d] && known[1 - d] && !before(u32(p.ack ?? 0), nxt[1 - d])) over[1 - d] = false;
    }
    const syn = (p.flags >> 1) & 1;
    const start = u32(p.seq + syn);
    const dataEnd = u32(start + p.len);
    const end = u32(dataEnd + (p.flags & 1));
    const dataSeg = (isRetx: boolean, fresh: number) => {
      data++;
      if (isRetx) retx++;
      pay[d] += fresh;
      if (response) {
        if (p.orig) {
          reqAt = t;
          waiting = true;
          reqRetx = isRetx;
        } else if (waiting && !isRetx) {
          if (!reqRetx && t - reqAt >= 0) samples.push([2, t - reqAt]);
          waiting = false;
          reqRetx = false;
        }
      }
    };
    if (!known[d] || (syn === 1 && u32(p.seq + 1) !== nxt[d])) {
      // first segment of the direction, or a SYN with a new ISN (restart, port reuse)
      known[d] = true;
      nxt[d] = end;
      nxtAt[d] = t;
      if (p.len > 0) dataSeg(false, p.len);
      continue;
    }
    const n = nxt[d];
    const keepAlive = p.len <= 1 && p.seq === u32(n - 1) && (p.flags & 3) === 0;
    if (p.len > 0 && !keepAlive) {
      let isRetx = false;
      let fresh = p.len;
      if (before(start, n)) {
        fresh = before(n, dataEnd) ? u32(dataEnd - n) : 0;
        const window = rtt >= 0 ? rtt : 3000;
        if (t - nxtAt[d] >= window && !over[d]) isRetx = true;
      } else if (closed[1 - d]) {
        over[d] = true;
      }
      dataSeg(isRetx, fresh);
    }
    if (before(n, end)) {
      nxt[d] = end;
      nxtAt[d] = t;
    }
  }
  return { dataSegments: data, retransmissions: retx, payloadOrig: pay[0], payloadResp: pay[1], rttUs: rtt, samples, state: connState(flagsOr[0], flagsOr[1], sent[0], sent[1], pay[0] + pay[1] === 0) };
}

/** Zeek's conn_state from the OR-ed flags of each end (assembly/detect/conn.ts header). */
export function connState(fo: number, fr: number, po: number, pr: number, noPayload: boolean): string {
  const handshake = (fo & 0x02) !== 0 && (fr & 0x12) === 0x12 && (fo & 0x10) !== 0;
  const st = (f: number, sent: boolean) =>
    f & 4 ? 'RESET' : f & 1 ? 'CLOSED' : !sent ? 'INACTIVE' : handshake ? 'ESTABLISHED' : (f & 0x12) === 0x12 ? 'SYN_ACK_SENT' : f & 2 ? 'SYN_SENT' : 'PARTIAL';
  const os = st(fo, po > 0);
  const rs = st(fr, pr > 0);
  const oIn = os === 'INACTIVE' || os === 'PARTIAL';
  const rIn = rs === 'INACTIVE' || rs === 'PARTIAL';
  if (rs === 'RESET') {
    if (os === 'SYN_SENT' || os === 'SYN_ACK_SENT' || (os === 'RESET' && noPayload)) return 'REJ';
    return oIn ? 'RSTRH' : 'RSTR';
  }
  if (os === 'RESET') return rIn ? ((fo & 2) !== 0 && (fr & 0x12) !== 0x12 ? 'RSTOS0' : 'OTH') : 'RSTO';
  if (rs === 'CLOSED' && os === 'CLOSED') return 'SF';
  if (os === 'CLOSED') return rIn ? 'SH' : 'S2';
  if (rs === 'CLOSED') return oIn ? 'SHR' : 'S3';
  if (os === 'SYN_SENT' && rs === 'INACTIVE') return 'S0';
  if (os === 'ESTABLISHED' && rs === 'ESTABLISHED') return 'S1';
  return 'OTH';
}
