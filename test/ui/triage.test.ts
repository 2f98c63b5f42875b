// Triage state of a session (src/ui/triage.ts createTriage, no DOM): changes are kept per alert,
// the lookup answers the table, a burst of changes (typing a note) is written once after the quiet
// time, flush writes now, load replaces without writing, and a failed write is reported.
import { describe, expect, it } from 'vitest';
import { createTriage, type Timers } from '../../src/ui/triage';
import type { TriageEntry } from '../../src/store/session-store';

function fakeTimers() {
  let seq = 0;
  const pending = new Map<number, () => void>();
  const timers: Timers = {
    set: (f) => {
      pending.set(++seq, f);
      return seq;
    },
    clear: (h) => void pending.delete(h as number),
  };
  return { timers, pending, fire: () => [...pending.entries()].forEach(([k, f]) => (pending.delete(k), f())) };
}

describe('triage', () => {
  it('keeps state and note per alert and writes a burst once, after the quiet time', async () => {
    const writes: Map<number, TriageEntry>[] = [];
    const t = fakeTimers();
    let now = 100;
    const tr = createTriage(async (e) => void writes.push(e), () => now++, 600, t.timers);
    let changes = 0;
    tr.onChange(() => changes++);
    expect(tr.lookup(3)).toBe('new');
    tr.set(3, { state: 'confirmed' });
    for (const note of ['s', 'ss', 'ssh brute force']) tr.set(3, { note });
    tr.set(5, { state: 'false-positive' });
    expect(changes).toBe(5);
    expect(t.pending.size).toBe(1); // one timer, restarted by each change
    expect(writes).toEqual([]);
    t.fire();
    await Promise.resolve();
    expect(writes.length).toBe(1);
    expect([...writes[0]]).toEqual([
      [3, { state: 'confirmed', note: 'ssh brute force', updatedAtMs: 103 }],
      [5, { state: 'false-positive', note: '', updatedAtMs: 104 }],
    ]);
    expect(tr.lookup(3)).toBe('confirmed');
    expect(tr.lookup(5)).toBe('false-positive');
    await tr.flush(); // nothing pending: no write
    expect(writes.length).toBe(1);
  });

  it('flush writes now; load replaces without writing; failures reach onSaved', async () => {
    let fail = false;
    const writes: number[] = [];
    const t = fakeTimers();
    const tr = createTriage(async (e) => {
      if (fail) throw new Error('QuotaExceededError: full');
      writes.push(e.size);
    }, Date.now, 600, t.timers);
    const outcomes: unknown[] = [];
    tr.onSaved((e) => outcomes.push(e));
    tr.set(1, { note: 'x' });
    await tr.flush();
    expect(writes).toEqual([1]);
    expect(t.pending.size).toBe(0);
    tr.load(new Map([[7, { state: 'confirmed', note: '', updatedAtMs: 1 }]]));
    expect(tr.lookup(1)).toBe('new');
    expect(tr.lookup(7)).toBe('confirmed');
    await tr.flush();
    expect(writes).toEqual([1]);
    fail = true;
    tr.set(7, { state: 'new' });
    await expect(tr.flush()).rejects.toThrow(/full/);
    expect(outcomes).toEqual([null, expect.any(Error)]);
  });
});
