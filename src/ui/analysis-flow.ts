// The page's analysis flow (issue #5): files are queued (src/ui/queue.ts) and analysed one after
// another by the worker; while a file is read its partial results (Progress.partial, at most once
// every PARTIAL_INTERVAL_MS) are displayed as they land; Cancel stops the file being read and its
// result so far stays; finished results stay in memory and the display can switch between them
// (the worker re-reads the right file for the charts: AnalyzeExtras.targetId / series targetId).
// Owns the queue, the progress panel's start/finish and the queue panel; the page (app.ts) owns
// how a result is displayed (`display`).
import * as Comlink from 'comlink';
import type { AnalysisOptions, AnalysisResult, AnalyzeExtras, Progress } from '../shared/protocol';
import type { ProgressPanel } from './progress';
import type { QueuePanel } from './queue-panel';
import { AnalysisQueue, type ResultKind } from './queue';

/** The worker calls the flow makes (a Comlink remote or the service itself). */
export interface FlowApi {
  analyze(file: Blob, fileName: string, options: AnalysisOptions, onProgress?: (p: Progress) => void, extras?: AnalyzeExtras): Promise<AnalysisResult>;
  cancel(): void | Promise<void>;
  /** FlowlensWorkerApi.wantPartial (the flow analyses with AnalyzeExtras.partialsOnRequest). */
  wantPartial(): void | Promise<void>;
}

/** Settings and baseline for one analysis, or why it cannot start. */
export type Prepared =
  | { ok: true; options: AnalysisOptions; extras?: AnalyzeExtras; /** the applied baseline's name */ applied: string | null }
  | { ok: false; title: string; message: string };

/** One queued file: the File and how to analyse it; `settle` resolves analyze()'s promise. */
export interface FlowPayload {
  file: File;
  learn: boolean;
  settle?: (r: AnalysisResult | null) => void;
}

/** A finished (or cancelled) file's result and the baseline it ran with. */
export interface FlowResult {
  result: AnalysisResult;
  applied: string | null;
}

/** What the page is asked to display. `id`: the queue item (the worker's targetId). */
export type FlowDisplay =
  | { what: 'result'; id: number; file: File; result: AnalysisResult; applied: string | null; kind: ResultKind; fraction: number }
  | { what: 'reading'; id: number; file: File }
  | { what: 'failure'; id: number; file: File; title: string; message: string };

export interface FlowDeps {
  api: FlowApi;
  prepare(file: File, learn: boolean): Promise<Prepared>;
  progress: ProgressPanel;
  panel: QueuePanel;
  display(d: FlowDisplay): void;
  /** True while a file is read (the page disables what must wait), false once the queue drained. */
  busy(b: boolean): void;
}

export interface AnalysisFlow {
  /** Queues files (analysed in order); the display follows them. */
  enqueue(files: File[]): void;
  /** Queues one file and resolves with its result when it ends (null: it could not start). */
  analyze(file: File, mode?: { learn?: boolean }): Promise<AnalysisResult | null>;
  /** Cancels the file being read (its result so far stays; the queue goes on). */
  cancelRunning(): void;
  /** Displays queue item `id` (a finished one, or the one being read). */
  view(id: number): void;
  remove(id: number): void;
  /** The queue item id (= worker targetId) of a displayed result, for series requests. */
  targetOf(r: AnalysisResult): number | undefined;
  queue: AnalysisQueue<FlowPayload, FlowResult>;
}

export function createAnalysisFlow(d: FlowDeps): AnalysisFlow {
  const queue = new AnalysisQueue<FlowPayload, FlowResult>();
  const ids = new WeakMap<AnalysisResult, number>();
  /** The partial result last received for the reading file (shown when the user switches to it). */
  let latestPartial: { id: number; result: AnalysisResult; fraction: number; applied: string | null } | null = null;
  let pumping = false;
  // Partial results are drawn coalesced and paced: only the latest one is drawn, and the next draw
  // waits at least twice as long as the last draw took (a table of 1,000 rows can take seconds on a
  // busy machine; queued snapshots must not freeze the page).
  // They are also pulled: the worker builds a snapshot only when asked (wantPartial), and the page
  // asks for the next one once it has drawn the last, so the main thread never deserialises
  // snapshots it will not draw (with 200,000 flows that cost more than the worker's reading).
  let drawTimer: ReturnType<typeof setTimeout> | null = null;
  let nextDrawAt = 0;
  /** Asks the worker for the next partial result of the file being read. */
  const wantPartial = () => void Promise.resolve(d.api.wantPartial()).catch(() => undefined);
  function schedulePartialDraw(id: number): void {
    if (drawTimer !== null) return;
    drawTimer = setTimeout(() => {
      drawTimer = null;
      if (latestPartial?.id !== id || queue.viewed() !== id || queue.get(id)?.state !== 'reading') return;
      const t0 = performance.now();
      showItem(id);
      // The layout would follow in the next frame anyway; forcing it here measures the whole draw.
      void document.body.offsetHeight;
      const t1 = performance.now();
      nextDrawAt = t1 + 2 * (t1 - t0);
      document.body.dataset.partialDrawMs = String(Math.round(t1 - t0));
      wantPartial();
    }, Math.max(0, nextDrawAt - performance.now()));
  }

  const render = () => d.panel.render(queue as AnalysisQueue<unknown, unknown>);

  function showItem(id: number): void {
    const it = queue.get(id);
    if (!it) return;
    if (it.state === 'reading') {
      if (latestPartial?.id === id) {
        const lp = latestPartial;
        d.display({ what: 'result', id, file: it.payload.file, result: lp.result, applied: lp.applied, kind: 'partial', fraction: lp.fraction });
      } else d.display({ what: 'reading', id, file: it.payload.file });
    } else if (it.result) {
      d.display({
        what: 'result',
        id,
        file: it.payload.file,
        result: it.result.result,
        applied: it.result.applied,
        kind: it.state === 'cancelled' ? 'cancelled' : 'final',
        fraction: it.fraction,
      });
    } else if (it.state === 'failed') {
      d.display({ what: 'failure', id, file: it.payload.file, title: `${it.name} could not be analysed`, message: it.message });
    }
  }

  async function runOne(): Promise<boolean> {
    const it = queue.start();
    if (!it) return false;
    const { id, payload } = it;
    const file = payload.file;
    d.busy(true);
    d.progress.start(file.name, file.size, queue.pending());
    render();
    if (queue.viewed() === id) showItem(id);
    const prep = await d.prepare(file, payload.learn);
    if (!prep.ok) {
      queue.finish(id, { state: 'failed', message: `${prep.title}: ${prep.message}` });
      d.progress.finish();
      render();
      if (queue.viewed() === id) d.display({ what: 'failure', id, file, title: prep.title, message: prep.message });
      payload.settle?.(null);
      return true;
    }
    let fraction = 0;
    const onProgress = Comlink.proxy((p: Progress) => {
      if (queue.get(id)?.state !== 'reading') return;
      fraction = p.bytesRead / Math.max(1, p.fileBytes);
      queue.progress(id, fraction, p.packets, p.alerts);
      d.progress.update(p);
      render();
      if (p.partial) {
        latestPartial = { id, result: p.partial, fraction, applied: prep.applied };
        ids.set(p.partial, id);
        if (queue.viewed() === id) schedulePartialDraw(id);
      }
    });
    let r: AnalysisResult;
    try {
      const running = d.api.analyze(file, file.name, prep.options, onProgress, { ...prep.extras, targetId: id, partialsOnRequest: true });
      wantPartial(); // the first one (a call made after analyze reaches the worker after it)
      r = await running;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      queue.finish(id, { state: 'failed', message });
      latestPartial = null;
      d.progress.finish();
      render();
      if (queue.viewed() === id) d.display({ what: 'failure', id, file, title: 'The analysis failed', message });
      payload.settle?.(null);
      return true;
    }
    latestPartial = null;
    ids.set(r, id);
    const s = r.summary;
    queue.finish(id, {
      state: r.cancelled ? 'cancelled' : r.ok ? 'done' : 'failed',
      packets: s.packetsDecoded,
      alerts: s.alerts,
      message: r.error?.message,
      // Where reading stopped: the last progress report (streamBytes counts decompressed bytes).
      fraction: r.cancelled ? (s.gzip ? fraction : s.streamBytes / Math.max(1, s.fileBytes)) : 1,
      result: { result: r, applied: prep.applied },
    });
    d.progress.finish();
    render();
    if (queue.viewed() === id) showItem(id);
    payload.settle?.(r);
    return true;
  }

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (await runOne());
    } finally {
      pumping = false;
      d.busy(false);
      render();
    }
  }

  function add(file: File, learn: boolean, settle?: (r: AnalysisResult | null) => void): void {
    queue.add(file.name, file.size, { file, learn, settle });
  }

  return {
    queue,
    enqueue(files) {
      for (const f of files) add(f, false);
      render();
      void pump();
    },
    analyze(file, mode = {}) {
      return new Promise((settle) => {
        add(file, !!mode.learn, settle);
        render();
        void pump();
      });
    },
    cancelRunning() {
      if (queue.running()) void d.api.cancel();
    },
    view(id) {
      if (queue.view(id)) {
        render();
        showItem(id);
        if (queue.get(id)?.state === 'reading') wantPartial(); // a fresh snapshot of it
      }
    },
    remove(id) {
      const it = queue.get(id);
      if (it && queue.remove(id)) {
        it.payload.settle?.(null);
        render();
      }
    },
    targetOf(r) {
      return ids.get(r);
    },
  };
}
