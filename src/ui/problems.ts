// The problems block: the fatal error (code, message, byte offset or line) and the warnings of a
// result, shown above the summary so the partial result below it reads as partial. Text only.
import type { AnalysisError, AnalysisResult } from '../shared/protocol';
import { el } from './dom';
import { formatInt } from './format';

/** "at byte offset 1,234 (0x4d2)" / "at line 17" / "" for an error's position. */
export function positionText(e: AnalysisError): string {
  const parts: string[] = [];
  if (e.offset !== undefined && e.offset >= 0) parts.push(`at byte offset ${formatInt(e.offset)} (0x${e.offset.toString(16)})`);
  if (e.line !== undefined && e.line > 0) parts.push(`at line ${formatInt(e.line)}`);
  return parts.join(', ');
}

function errorLine(e: AnalysisError): HTMLElement {
  const pos = positionText(e);
  return el(
    'p',
    { class: 'problem-line' },
    el('code', { class: 'code' }, e.code),
    ' ',
    el('span', { class: 'message' }, e.message),
    pos ? el('span', { class: 'position', attrs: { 'data-offset': e.offset ?? '', 'data-line': e.line ?? '' } }, ` — ${pos}`) : null,
  );
}

/** Renders the error and warnings of `r`, or null when there are none. The error block has
 *  role=alert; `decodedNote` says how much was decoded before the fault. */
export function renderProblems(r: AnalysisResult): HTMLElement | null {
  const err = r.error;
  if (!err && r.ok && r.warnings.length === 0) return null;
  const box = el('section', { id: 'problems', class: 'problems', attrs: { 'aria-label': 'Problems' } });
  if (err || !r.ok) {
    const e: AnalysisError = err ?? { code: 'unknown', message: 'The analysis failed without an error report.' };
    box.append(
      el(
        'div',
        { class: 'error-block', attrs: { role: 'alert' } },
        el('h2', {}, r.summary.recordsRead > 0 ? 'The file could not be read to the end' : 'This file could not be analysed'),
        errorLine(e),
        el(
          'p',
          { class: 'muted decoded-note' },
          r.summary.recordsRead > 0
            ? `${formatInt(r.summary.packetsDecoded)} packets (${formatInt(r.summary.recordsRead)} records) were decoded before the fault; they are shown below.`
            : 'Nothing was decoded before the fault.',
        ),
      ),
    );
  }
  if (r.warnings.length > 0) {
    box.append(
      el(
        'div',
        { class: 'warning-block' },
        el('h2', {}, `Warnings (${formatInt(r.warnings.length)})`),
        el('ul', {}, ...r.warnings.map((w) => el('li', {}, errorLine(w)))),
      ),
    );
  }
  return box;
}

/** A block for a failure outside the analysis itself (worker crashed, sample missing). */
export function renderFailure(title: string, message: string): HTMLElement {
  return el(
    'section',
    { id: 'problems', class: 'problems', attrs: { 'aria-label': 'Problems' } },
    el('div', { class: 'error-block', attrs: { role: 'alert' } }, el('h2', {}, title), el('p', { class: 'message' }, message)),
  );
}
