// The channel list: channels with alerts, most alerts first, as buttons that select the channel
// for the chart. Owns only its list; labels go in as text (they come from hostile files).
import type { ChannelInfo } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { channelLabel, formatInt } from './format';

/** Buttons rendered at most. */
export const MAX_CHANNELS = 200;

/** The channel list. `setChannels` replaces it; `setSelected` marks one (aria-pressed). */
export interface ChannelList {
  element: HTMLElement;
  setChannels(channels: ChannelInfo[]): void;
  setSelected(channel: number): void;
}

/** Channel indices (into `channels`) ordered by alert count, descending; ties keep input order. */
export function channelsByAlerts(channels: ChannelInfo[]): number[] {
  return channels.map((_, i) => i).sort((a, b) => channels[b].alerts - channels[a].alerts || a - b);
}

/** Creates the list; `onSelect(channelIndex)` runs when a channel button is pressed. */
export function createChannelList(onSelect: (channel: number) => void): ChannelList {
  const list = el('ul', { id: 'channel-list', class: 'channel-list' });
  const note = el('p', { class: 'muted' });
  const element = el('nav', { class: 'channels', attrs: { 'aria-labelledby': 'channels-title' } }, el('h3', { id: 'channels-title' }, 'Channels with alerts'), note, list);
  list.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('button') : null;
    if (b?.dataset.channel) onSelect(Number(b.dataset.channel));
  });
  return {
    element,
    setChannels(channels) {
      const order = channelsByAlerts(channels).filter((i) => channels[i].alerts > 0);
      const shown = order.slice(0, MAX_CHANNELS);
      replaceChildren(
        list,
        ...shown.map((i) => {
          const c = channels[i];
          return el(
            'li',
            {},
            el(
              'button',
              { class: 'channel-button', attrs: { type: 'button', 'data-channel': i, 'aria-pressed': 'false' } },
              el('span', { class: 'channel-name' }, channelLabel(c.src, c.dst, c.proto)),
              el('span', { class: 'count', attrs: { 'aria-label': `${c.alerts} alerts` } }, formatInt(c.alerts)),
            ),
          );
        }),
      );
      note.textContent =
        order.length === 0 ? 'No channel has alerts.' : order.length > shown.length ? `Top ${shown.length} of ${formatInt(order.length)}.` : '';
    },
    setSelected(ch) {
      for (const b of Array.from(list.querySelectorAll<HTMLButtonElement>('button[data-channel]'))) {
        b.setAttribute('aria-pressed', String(Number(b.dataset.channel) === ch));
      }
    },
  };
}
