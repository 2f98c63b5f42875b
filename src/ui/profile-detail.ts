// A PROFILE alert's "source profile next to the flagged connection" for the alert detail
// (src/ui/alert-detail.ts): a table of every statistical feature (this connection's value, the
// source's baseline as mean ± std, the tail probability and the feature's contribution), then the
// source's most used services with their shares and the UTC hours it was active in. The data is
// result.profile.details[alert's aux] (src/worker/profile.ts). Text nodes only (el()), never HTML.
import type { AnalysisResult, ProfileDetail, ProfileFeature } from '../shared/protocol';
import { profileDetail } from '../io/alert-rows';
import { el } from './dom';
import { PROFILE_FEATURES } from '../shared/profile-features';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** A raw-unit number: 3 significant digits below 100, whole with separators above. */
function amount(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3)));
}

const pct = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;

/** The connection's value of one feature, as shown. */
export function featureValueText(f: ProfileFeature): string {
  const unit = PROFILE_FEATURES[f.feature]?.unit ?? '';
  if (f.feature === 'service') return f.label ?? String(f.value);
  if (f.feature === 'hour') return `${String(f.value).padStart(2, '0')}:00`;
  if (f.feature === 'day') return DAYS[f.value] ?? String(f.value);
  if (f.feature === 'newSource') return 'yes';
  return `${amount(f.value)}${unit && !unit.startsWith('/') ? ' ' : ''}${unit}`;
}

/** The baseline of one feature, as shown: numeric "typical (mean ± std in log1p)", categorical
 *  "n connections (share)". */
export function featureBaselineText(f: ProfileFeature, connections: number): string {
  if (f.feature === 'newSource') return 'not seen while learning';
  if (f.feature === 'service' || f.feature === 'hour' || f.feature === 'day') {
    return f.typical === 0 ? 'never' : `${amount(f.typical)} of ${amount(connections)} (${pct(f.baselineMean)})`;
  }
  const unit = PROFILE_FEATURES[f.feature]?.unit ?? '';
  const lo = Math.expm1(Math.max(0, f.baselineMean - f.baselineStd));
  const hi = Math.expm1(f.baselineMean + f.baselineStd);
  return `typical ${amount(f.typical)}${unit && !unit.startsWith('/') ? ' ' : ''}${unit} (±1σ: ${amount(lo)}–${amount(hi)}; log1p ${f.baselineMean.toFixed(2)} ± ${f.baselineStd.toFixed(2)})`;
}

/** Renders a profile detail as a <section class="profile-detail">. */
export function renderProfile(d: ProfileDetail): HTMLElement {
  const b = d.baseline;
  const who =
    b.basis === 'source'
      ? `this source's profile (${amount(b.connections)} training connections)`
      : `the network's profile (${b.unknownSource ? 'new source' : 'too few training connections of its own'}; ${amount(b.connections)} connections)`;
  const activeHours = b.hours
    .map((n, h) => ({ n, h }))
    .filter((x) => x.n > 0)
    .map((x) => `${String(x.h).padStart(2, '0')}h ${pct(b.connections > 0 ? x.n / b.connections : 0)}`);
  const c = d.connection;
  return el(
    'section',
    { class: 'profile-detail', id: 'profile-detail', attrs: { 'data-level': d.level } },
    el('h4', {}, 'Source profile next to the flagged connection'),
    el(
      'p',
      { class: 'muted' },
      `${d.level}: combined ${d.combined.toFixed(3)} (statistical ${d.statistical.toFixed(3)}, ML ${d.ml.toFixed(3)}), against ${who}. ` +
        `Connection: ${amount(c.origBytes)} B sent, ${amount(c.respBytes)} B received, ${amount(c.origPkts + c.respPkts)} packets, ${amount(c.durationS)} s.`,
    ),
    el(
      'table',
      { class: 'evidence profile-features', id: 'profile-features' },
      el(
        'thead',
        {},
        el('tr', {}, ...['Feature', 'This connection', 'Source baseline', 'Tail probability', 'Contribution'].map((h) => el('th', { attrs: { scope: 'col' } }, h))),
      ),
      el(
        'tbody',
        {},
        ...d.features.map((f) =>
          el(
            'tr',
            { attrs: { 'data-feature': f.feature } },
            el('th', { attrs: { scope: 'row' } }, PROFILE_FEATURES[f.feature]?.label ?? f.feature),
            el('td', { class: 'num' }, featureValueText(f)),
            el('td', {}, featureBaselineText(f, b.connections)),
            el('td', { class: 'num' }, f.p < 1e-4 ? f.p.toExponential(1) : String(Number(f.p.toPrecision(2)))),
            el('td', { class: 'num' }, f.score.toFixed(2)),
          ),
        ),
      ),
    ),
    el('h5', {}, `Top services of ${b.basis === 'source' ? 'the source' : 'the network'} (${amount(b.services)} distinct)`),
    b.topServices.length
      ? el('ul', { class: 'profile-services' }, ...b.topServices.map((s) => el('li', {}, `${s.label}: ${pct(s.share)}`)))
      : el('p', { class: 'muted' }, 'none'),
    el('h5', {}, 'Hours active (UTC, share of connections)'),
    el('p', { class: 'profile-hours' }, activeHours.length ? activeHours.join(' · ') : 'none'),
  );
}

/** The profile section of alert i of `r`, or null when it is not a PROFILE alert with a detail. */
export function renderProfileDetail(r: AnalysisResult, i: number): HTMLElement | null {
  const d = profileDetail(r, i);
  return d ? renderProfile(d) : null;
}
