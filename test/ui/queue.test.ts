// The analysis queue's state machine (src/ui/queue.ts): order, transitions, removal, which result
// is displayed (following the running file or the one the user chose), and the panel's state text.
import { describe, expect, it } from 'vitest';
import { AnalysisQueue, percent, resultNoteText, stateText } from '../../src/ui/queue';

type R = { name: string };

describe('AnalysisQueue', () => {
  it('analyses files one after another, in the order added, each keeping its own result', () => {
    const q = new AnalysisQueue<string, R>();
    const a = q.add('a.pcap', 100, 'A');
    const b = q.add('b.pcap', 200, 'B');
    expect(q.items().map((x) => x.state)).toEqual(['queued', 'queued']);
    const first = q.start();
    expect(first?.id).toBe(a);
    expect(first?.payload).toBe('A');
    expect(() => q.start()).toThrow(/already reading/);
    q.progress(a, 0.5, 10, 1);
    expect(stateText(q.get(a)!)).toBe('reading 50 %');
    q.finish(a, { state: 'done', packets: 20, alerts: 2, result: { name: 'a' } });
    expect(q.running()).toBeNull();
    const second = q.start();
    expect(second?.id).toBe(b);
    q.finish(b, { state: 'done', packets: 1234, alerts: 1, result: { name: 'b' } });
    expect(q.start()).toBeNull();
    expect(q.get(a)!.result).toEqual({ name: 'a' });
    expect(q.get(b)!.result).toEqual({ name: 'b' });
    expect(q.get(a)!.fraction).toBe(1);
    expect(stateText(q.get(b)!)).toBe('done: 1,234 packets, 1 alert');
  });

  it('removes only queued items', () => {
    const q = new AnalysisQueue<string, R>();
    const a = q.add('a', 1, 'A');
    const b = q.add('b', 1, 'B');
    const c = q.add('c', 1, 'C');
    q.start();
    expect(q.remove(a)).toBe(false); // reading
    expect(q.remove(b)).toBe(true);
    expect(q.items().map((x) => x.id)).toEqual([a, c]);
    expect(q.pending()).toBe(1);
    q.finish(a, { state: 'cancelled', fraction: 0.426, packets: 5, alerts: 0, result: { name: 'a' } });
    expect(q.remove(a)).toBe(false); // finished
    expect(stateText(q.get(a)!)).toBe('cancelled at 42 %: 5 packets, 0 alerts');
    expect(q.start()?.id).toBe(c);
    expect(() => q.remove(999)).toThrow(/no queue item/);
  });

  it('refuses transitions of items that are not reading', () => {
    const q = new AnalysisQueue<string, R>();
    const a = q.add('a', 1, 'A');
    expect(() => q.progress(a, 0.1, 1, 0)).toThrow(/queued, not reading/);
    expect(() => q.finish(a, { state: 'done' })).toThrow(/queued, not reading/);
    q.start();
    q.finish(a, { state: 'failed', message: 'bad magic 0x00000000 at byte 0' });
    expect(() => q.finish(a, { state: 'done' })).toThrow(/failed, not reading/);
    expect(stateText(q.get(a)!)).toBe('failed: bad magic 0x00000000 at byte 0');
    expect(q.get(a)!.result).toBeNull();
  });

  it('displays the running file unless the user chose a finished one', () => {
    const q = new AnalysisQueue<string, R>();
    expect(q.viewed()).toBeNull();
    const a = q.add('a', 1, 'A');
    const b = q.add('b', 1, 'B');
    const c = q.add('c', 1, 'C');
    q.start();
    expect(q.viewed()).toBe(a);
    expect(q.view(b)).toBe(false); // queued: nothing to show
    q.finish(a, { state: 'done', result: { name: 'a' } });
    q.start(); // b reads: the display follows it
    expect(q.viewed()).toBe(b);
    expect(q.view(a)).toBe(true); // the user goes back to a
    expect(q.following()).toBe(false);
    q.finish(b, { state: 'done', result: { name: 'b' } });
    q.start(); // c reads, the display stays on a
    expect(q.viewed()).toBe(a);
    expect(q.view(c)).toBe(true); // choosing the running file follows again
    expect(q.following()).toBe(true);
    q.finish(c, { state: 'failed', message: 'x' });
    expect(q.view(c)).toBe(false); // failed without a result
    expect(q.viewed()).toBe(c);
    // Adding files follows the new one even after choosing an old result.
    expect(q.view(a)).toBe(true);
    const d = q.add('d', 1, 'D');
    q.start();
    expect(q.viewed()).toBe(d);
  });

  it('percent floors and clamps', () => {
    expect(percent(0.999)).toBe(99);
    expect(percent(1)).toBe(100);
    expect(percent(1.5)).toBe(100);
    expect(percent(-1)).toBe(0);
    expect(percent(NaN)).toBe(0);
  });
});

describe('resultNoteText', () => {
  it('labels partial and cancelled results with the share read', () => {
    expect(resultNoteText('partial', 0.421)).toBe('Results so far (reading… 42 %)');
    expect(resultNoteText('cancelled', 0.07)).toBe('Cancelled at 7 % \u2014 results so far');
    expect(resultNoteText('final', 1)).toBe('');
  });
});
