// The analysis queue (issue #5 "several files"): pure state, no DOM, no worker. Several files
// dropped or picked at once are QUEUED and analysed one after another, each keeping its own result
// (we do not merge captures into one timeline: a merged result would mix hosts, time spans and
// baselines of unrelated captures, and one file's error would spoil the others). The page
// (src/ui/analysis-flow.ts) drives it: add() → start() → progress()* → finish(), and shows the
// item view() names.
//
// States: queued → reading → done | failed | cancelled; a queued item may be removed. Finished
// items keep their result (in memory) so that the display can switch between them.
import { formatInt } from './format';

/** Where a file is in the queue. */
export type QueueItemState = 'queued' | 'reading' | 'done' | 'failed' | 'cancelled';

/** One file of the queue; `payload` is the caller's (the File and how to analyse it), `result`
 *  the analysis result once finished (null before, and for a failure with no result). */
export interface QueueItem<F, R> {
  readonly id: number;
  readonly name: string;
  /** File size, bytes. */
  readonly bytes: number;
  readonly payload: F;
  state: QueueItemState;
  /** Bytes read / file bytes, in [0, 1] (reading: so far; cancelled: where it stopped; done: 1). */
  fraction: number;
  /** Decoded packets and alerts (so far while reading). */
  packets: number;
  alerts: number;
  /** failed: why (one line). */
  message: string;
  result: R | null;
}

/** How an analysis ended, for finish(). */
export interface QueueOutcome<R> {
  state: 'done' | 'failed' | 'cancelled';
  packets?: number;
  alerts?: number;
  /** failed: why. */
  message?: string;
  /** Bytes read / file bytes where it stopped (cancelled), [0, 1]. */
  fraction?: number;
  result?: R | null;
}

/** The queue. Methods throw an Error on an impossible transition (unknown id, finishing an item
 *  that is not reading, starting while one reads): the page's flow is wrong if they do. */
export class AnalysisQueue<F, R> {
  private list: QueueItem<F, R>[] = [];
  private nextId = 1;
  private viewedId: number | null = null;
  /** The display follows the running file (true) or stays on the one the user chose (false). */
  private follow = true;

  /** Every item, in the order added. */
  items(): readonly QueueItem<F, R>[] {
    return this.list;
  }

  get(id: number): QueueItem<F, R> | undefined {
    return this.list.find((x) => x.id === id);
  }

  private must(id: number): QueueItem<F, R> {
    const it = this.get(id);
    if (!it) throw new Error(`no queue item ${id}`);
    return it;
  }

  /** Queues a file; returns its id. Adding files is an explicit request to see them: the display
   *  follows the running file again. */
  add(name: string, bytes: number, payload: F): number {
    const id = this.nextId++;
    this.list.push({ id, name, bytes, payload, state: 'queued', fraction: 0, packets: 0, alerts: 0, message: '', result: null });
    this.follow = true;
    return id;
  }

  /** Removes a queued item (true), or refuses one that is reading or finished (false). */
  remove(id: number): boolean {
    const it = this.must(id);
    if (it.state !== 'queued') return false;
    this.list = this.list.filter((x) => x !== it);
    return true;
  }

  /** The item being read, or null. */
  running(): QueueItem<F, R> | null {
    return this.list.find((x) => x.state === 'reading') ?? null;
  }

  /** Items still waiting. */
  pending(): number {
    return this.list.filter((x) => x.state === 'queued').length;
  }

  /** Starts the first queued item (returns it), or null when none waits. Throws while one reads. */
  start(): QueueItem<F, R> | null {
    if (this.running()) throw new Error('an item is already reading');
    const it = this.list.find((x) => x.state === 'queued');
    if (!it) return null;
    it.state = 'reading';
    if (this.follow || this.viewedId === null) {
      this.viewedId = it.id;
      this.follow = true;
    }
    return it;
  }

  /** Progress of the reading item. */
  progress(id: number, fraction: number, packets: number, alerts: number): void {
    const it = this.must(id);
    if (it.state !== 'reading') throw new Error(`queue item ${id} is ${it.state}, not reading`);
    it.fraction = clamp01(fraction);
    it.packets = packets;
    it.alerts = alerts;
  }

  /** Ends the reading item. */
  finish(id: number, o: QueueOutcome<R>): void {
    const it = this.must(id);
    if (it.state !== 'reading') throw new Error(`queue item ${id} is ${it.state}, not reading`);
    it.state = o.state;
    it.packets = o.packets ?? it.packets;
    it.alerts = o.alerts ?? it.alerts;
    it.message = o.message ?? '';
    it.fraction = o.state === 'done' ? 1 : clamp01(o.fraction ?? it.fraction);
    it.result = o.result ?? null;
  }

  /** The id of the item to display (the running one while following, else the one chosen). */
  viewed(): number | null {
    return this.viewedId;
  }

  /** Whether the display follows the running file. */
  following(): boolean {
    return this.follow;
  }

  /** Shows item `id`: a finished one with a result, or the reading one (follow it again). Returns
   *  false (nothing changes) for a queued item or one with no result. */
  view(id: number): boolean {
    const it = this.must(id);
    if (it.state === 'reading') {
      this.viewedId = id;
      this.follow = true;
      return true;
    }
    if (it.result === null) return false;
    this.viewedId = id;
    this.follow = false;
    return true;
  }
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

/** A percentage for display: floor, so that "100 %" means everything was read. */
export function percent(fraction: number): number {
  return Math.floor(clamp01(fraction) * 100);
}

/** The one-line state of an item as the queue panel shows it: "queued", "reading 42 %",
 *  "done: 1,234 packets, 5 alerts", "failed: <message>", "cancelled at 42 %: 812 packets, 3 alerts". */
export function stateText(it: Pick<QueueItem<unknown, unknown>, 'state' | 'fraction' | 'packets' | 'alerts' | 'message'>): string {
  const counts = `${formatInt(it.packets)} packet${it.packets === 1 ? '' : 's'}, ${formatInt(it.alerts)} alert${it.alerts === 1 ? '' : 's'}`;
  switch (it.state) {
    case 'queued':
      return 'queued';
    case 'reading':
      return `reading ${percent(it.fraction)} %`;
    case 'done':
      return `done: ${counts}`;
    case 'failed':
      return `failed: ${it.message || 'unknown error'}`;
    case 'cancelled':
      return `cancelled at ${percent(it.fraction)} %: ${counts}`;
  }
}

/** What kind of result the page shows: a snapshot while reading, a cancelled file's result so
 *  far, or a finished one. */
export type ResultKind = 'partial' | 'cancelled' | 'final';

/** The note above a shown result: "Results so far (reading… 42 %)", "Cancelled at 42 % — results
 *  so far", or '' for a finished file. `fraction`: bytes read / file bytes. */
export function resultNoteText(kind: ResultKind, fraction: number): string {
  if (kind === 'partial') return `Results so far (reading… ${percent(fraction)} %)`;
  if (kind === 'cancelled') return `Cancelled at ${percent(fraction)} % \u2014 results so far`;
  return '';
}
