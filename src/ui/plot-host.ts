// One uPlot chart living in a host element: created at the host's width, resized with it (a
// ResizeObserver; changes under 5 px are ignored), destroyed with its observer and its DOM. Shared
// by the evidence chart (chart.ts), the timeline (timeline.ts) and the protocols tab.
import uPlot from 'uplot';
import { replaceChildren } from './dom';

export interface PlotHost {
  /** The current chart, or null. */
  readonly chart: uPlot | null;
  /** The chart width for the host now, CSS px (at least 280; `fallbackWidth` while not laid out). */
  width(): number;
  /** Replaces the chart by a new one of `opts` and `data` at the host's width and `height`;
   *  `onResize` runs after each resize of the chart. */
  mount(opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData, onResize?: () => void): uPlot;
  /** Removes the chart, its observer and the host's children. */
  destroy(): void;
}

/** A host in `plot` (its width read from `plot`, else from `outer`, else `fallbackWidth`). */
export function createPlotHost(plot: HTMLElement, outer: HTMLElement, height: number, fallbackWidth: number): PlotHost {
  let u: uPlot | null = null;
  let ro: ResizeObserver | null = null;
  const width = () => Math.max(280, Math.floor(plot.clientWidth || outer.clientWidth || fallbackWidth));
  function destroy(): void {
    ro?.disconnect();
    ro = null;
    u?.destroy();
    u = null;
    replaceChildren(plot);
  }
  return {
    get chart() {
      return u;
    },
    width,
    mount(opts, data, onResize) {
      destroy();
      const chart = new uPlot({ ...opts, width: width(), height } as uPlot.Options, data, plot);
      u = chart;
      ro = new ResizeObserver(() => {
        if (u !== chart || Math.abs(chart.width - width()) <= 4) return;
        chart.setSize({ width: width(), height });
        onResize?.();
      });
      ro.observe(plot);
      return chart;
    },
    destroy,
  };
}
