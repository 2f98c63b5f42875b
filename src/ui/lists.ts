// Checks of the list editors' text (blacklist, normal services) and of flow rules, shaped for the
// page: every problem carries the 1-based line of the textarea it came from. Pure (no DOM); the
// parsing itself is src/rules/blacklist.ts, src/shared/services.ts and src/rules/flow-rules.ts.
import type { FlowRule } from '../shared/protocol';
import { blacklistRanges, parseBlacklistText } from '../rules/blacklist';
import { parseServices } from '../shared/services';
import { validateRules } from '../rules/flow-rules';

/** A problem of one textarea line. */
export interface LineProblem {
  /** 1-based line in the textarea. */
  line: number;
  entry: string;
  message: string;
}

/** The result of checking a list editor's text. */
export interface ListCheck {
  entries: string[];
  problems: LineProblem[];
  /** One line for under the editor: "3 entries, 2 ranges after merging". */
  countText: string;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The entries of list text with the line each came from: "#" starts a comment, blank lines are
 *  skipped, commas separate entries on a line, entries are trimmed. */
export function splitListText(text: string): { entries: string[]; lines: number[] } {
  const entries: string[] = [];
  const lines: number[] = [];
  const rows = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < rows.length; i++) {
    const hash = rows[i].indexOf('#');
    const body = hash >= 0 ? rows[i].slice(0, hash) : rows[i];
    for (const part of body.split(',')) {
      const e = part.trim();
      if (e) {
        entries.push(e);
        lines.push(i + 1);
      }
    }
  }
  return { entries, lines };
}

/**
 * Checks blacklist text: syntax problems from parseBlacklistText (their own line numbers) and
 * address problems from blacklistRanges (entry indexes, mapped back to the line of that entry).
 */
export function checkBlacklistText(text: string): ListCheck {
  const parsed = parseBlacklistText(text);
  const ranges = blacklistRanges(parsed.entries);
  // The line of each entry, by its text: blacklistRanges numbers entries, not lines.
  const { entries, lines } = splitListText(text);
  const lineOf = new Map<string, number>();
  entries.forEach((e, i) => {
    if (!lineOf.has(e)) lineOf.set(e, lines[i]);
  });
  const problems: LineProblem[] = [
    ...parsed.errors.map((e) => ({ line: e.line, entry: e.entry, message: e.message })),
    ...ranges.errors.map((e) => ({ line: lineOf.get(e.entry.trim()) ?? lines[e.line - 1] ?? e.line, entry: e.entry, message: e.message })),
  ].sort((a, b) => a.line - b.line);
  const countText =
    parsed.entries.length === 0
      ? 'No entries.'
      : `${plural(parsed.entries.length, 'entry', 'entries')}${problems.length ? `, ${plural(problems.length, 'problem')}` : ''}; ${plural(ranges.count, 'range')} after merging.`;
  return { entries: parsed.entries, problems, countText };
}

/** Checks normal-services text (one "tcp/80", "udp/53", "tcp/6000-6063", "icmp", "proto/47" per
 *  line or comma-separated, "#" comments) with parseServices. */
export function checkServicesText(text: string): ListCheck {
  const { entries, lines } = splitListText(text);
  const { errors } = parseServices(entries);
  const problems = errors.map((e) => ({ line: lines[e.line - 1] ?? e.line, entry: e.entry, message: e.message }));
  const countText = entries.length === 0 ? 'No entries: every service is unusual.' : `${plural(entries.length, 'service')}${problems.length ? `, ${plural(problems.length, 'problem')}` : ''}.`;
  return { entries, problems, countText };
}

/** The text an editor shows for a list of entries (one per line). */
export function listText(entries: readonly string[]): string {
  return entries.join('\n');
}

/** Problems of one flow rule, by field; `column` is 1-based in the expression. */
export interface RuleProblems {
  name?: string;
  expr?: { message: string; column?: number };
}

/** validateRules(rules) grouped per rule index (rules without problems are absent). */
export function ruleProblems(rules: readonly FlowRule[]): Map<number, RuleProblems> {
  const out = new Map<number, RuleProblems>();
  for (const p of validateRules(rules)) {
    const r = out.get(p.index) ?? {};
    if (p.field === 'name') r.name ??= p.message;
    else r.expr ??= { message: p.message, column: p.column };
    out.set(p.index, r);
  }
  return out;
}

/**
 * A caret line pointing at 1-based `column` of `expr`: spaces (a tab where the expression has a
 * tab, so a monospace rendering lines up) then "^". Columns past the end point just after it.
 */
export function caretLine(expr: string, column: number): string {
  const c = Math.max(1, Math.min(Math.floor(column), expr.length + 1));
  let pad = '';
  for (let i = 0; i < c - 1; i++) pad += expr[i] === '\t' ? '\t' : ' ';
  return `${pad}^`;
}
