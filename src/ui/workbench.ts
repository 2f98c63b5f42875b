// The workbench of issue #5 (the triage views put together): the overview, the timeline, and below them the tabs
// Alerts (the page's alerts table element, passed in), Flows, Hosts, Protocols. A range selected on
// the timeline goes to every tab (setRange) and to `onRange` (the page filters the alerts table
// with it); the Alerts tab's label counts the kept alerts in the range. DOM ids: workbench, plus
// those of overview.ts, timeline.ts, tabs.ts (tab-alerts, tab-flows, tab-hosts, tab-protocols).
import type { AnalysisResult } from '../shared/protocol';
import { el } from './dom';
import { formatInt } from './format';
import { createOverview } from './overview';
import { createTimeline } from './timeline';
import { createTabs, type Tabs } from './tabs';
import { createFlowsTab } from './flows-tab';
import { createHostsTab } from './hosts-tab';
import { createProtocolsTab } from './protocols-tab';
import { alertsInRange, makeRange } from './traffic-model';

export interface WorkbenchOptions {
  /** The alerts table's element (src/ui/alert-table.ts), shown in the Alerts tab. */
  alerts: HTMLElement;
  /** The selected range changed (null, null: cleared); µs since the epoch. */
  onRange?: (fromUs: number | null, toUs: number | null) => void;
  /** A host's "Show alerts" was pressed (the Alerts tab is selected before this is called). */
  onHost?: (address: string) => void;
}

export interface Workbench {
  element: HTMLElement;
  /** New (or partial: r.partial) result; null empties and hides everything. Keeps the range. */
  setResult(r: AnalysisResult | null): void;
  /** Clears the range (and calls onRange(null, null)); for a new file. */
  clearRange(): void;
  tabs: Tabs;
}

/** Creates the overview, timeline and tabs. */
export function createWorkbench(opts: WorkbenchOptions): Workbench {
  const overview = createOverview();
  const flows = createFlowsTab();
  let tabs: Tabs | null = null;
  const hosts = createHostsTab((address) => {
    tabs?.select('alerts', true);
    opts.onHost?.(address);
  });
  const protocols = createProtocolsTab();
  let result: AnalysisResult | null = null;
  let from: number | null = null;
  let to: number | null = null;

  function alertsLabel(): void {
    if (!tabs) return;
    if (!result) return tabs.setLabel('alerts', 'Alerts');
    const range = makeRange(from, to);
    const n = alertsInRange(result, range).all;
    tabs.setLabel('alerts', range ? `Alerts (${formatInt(n)} of ${formatInt(result.alerts.count)} in range)` : `Alerts (${formatInt(n)})`);
  }

  // The Flows, Hosts and Protocols tabs are computed only while shown: a hidden one is marked
  // stale and brought up to date (result, then range) when selected. Each costs O(alerts + flows)
  // per result, and partial results come every second while a file is read.
  const views = { flows, hosts, protocols } as const;
  type ViewId = keyof typeof views;
  const stale = new Set<ViewId>();
  const shown = (id: ViewId) => tabs?.selected() === id;
  function refreshView(id: ViewId): void {
    stale.delete(id);
    views[id].setResult(result);
    views[id].setRange(from, to);
  }
  const timeline = createTimeline((f, t) => {
    from = f;
    to = t;
    for (const id of Object.keys(views) as ViewId[]) {
      if (shown(id)) views[id].setRange(f, t);
      else stale.add(id);
    }
    alertsLabel();
    opts.onRange?.(f, t);
  });
  tabs = createTabs(
    [
      { id: 'alerts', label: 'Alerts', panel: opts.alerts },
      { id: 'flows', label: 'Flows', panel: flows.element },
      { id: 'hosts', label: 'Hosts', panel: hosts.element },
      { id: 'protocols', label: 'Protocols', panel: protocols.element },
    ],
    'Workbench views',
    (id) => {
      if (stale.has(id as ViewId)) refreshView(id as ViewId);
    },
  );
  const element = el('div', { id: 'workbench', class: 'workbench' }, overview.element, timeline.element, tabs.element);
  tabs.element.hidden = true; // until the first result

  return {
    element,
    tabs,
    setResult(r) {
      result = r;
      overview.setResult(r);
      timeline.setResult(r);
      for (const id of Object.keys(views) as ViewId[]) {
        if (r === null || shown(id)) {
          stale.delete(id);
          views[id].setResult(r);
        } else stale.add(id);
      }
      tabs!.element.hidden = !r;
      alertsLabel();
    },
    clearRange: () => timeline.clearRange(),
  };
}
