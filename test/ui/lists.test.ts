// The list editors' checks report the textarea line of every problem; the caret of a rule error.
import { describe, expect, it } from 'vitest';
import { caretLine, checkBlacklistText, checkServicesText, ruleProblems, splitListText } from '../../src/ui/lists';

describe('splitListText', () => {
  it('keeps the line of each entry past comments, blank lines and commas', () => {
    const t = '# header\n10.0.0.1\n\n  10.0.0.0/8 , 192.0.2.1 # two\r\n#only\n2001:db8::1';
    expect(splitListText(t)).toEqual({ entries: ['10.0.0.1', '10.0.0.0/8', '192.0.2.1', '2001:db8::1'], lines: [2, 4, 4, 6] });
  });
});

describe('checkBlacklistText', () => {
  it('points a bad address at its own line and counts the good ones', () => {
    const c = checkBlacklistText('# lab hosts\n192.0.2.1\n\n10.0.0.300\n198.51.100.0/24\nnot-an-address\n');
    expect(c.entries).toContain('192.0.2.1');
    expect(c.problems.map((p) => [p.line, p.entry])).toEqual([
      [4, '10.0.0.300'],
      [6, 'not-an-address'],
    ]);
    expect(c.countText).toContain('2 problems');
  });

  it('is clean for an empty list', () => {
    const c = checkBlacklistText('# nothing yet\n');
    expect(c.problems).toEqual([]);
    expect(c.countText).toBe('No entries.');
  });
});

describe('checkServicesText', () => {
  it('maps parseServices problems (entry indexes) back to textarea lines', () => {
    const c = checkServicesText('tcp/80 # web\n# mail\n\nudp/53, bogus/1\ntcp/70000\nicmp');
    expect(c.entries).toEqual(['tcp/80', 'udp/53', 'bogus/1', 'tcp/70000', 'icmp']);
    expect(c.problems.map((p) => [p.line, p.entry])).toEqual([
      [4, 'bogus/1'],
      [5, 'tcp/70000'],
    ]);
  });
});

describe('flow rules', () => {
  it('groups problems per rule: empty or duplicate names, bad expressions with a column', () => {
    const p = ruleProblems([
      { name: 'a', expr: 'packets > 10', severity: 'low', enabled: true },
      { name: 'a', expr: 'packets > 2 @ 3', severity: 'low', enabled: true },
      { name: '', expr: 'packetz > 1', severity: 'high', enabled: false },
    ]);
    expect(p.has(0)).toBe(false);
    expect(p.get(1)?.name).toBeTruthy();
    expect(p.get(1)?.expr?.column).toBe(13);
    expect(p.get(2)?.name).toBeTruthy();
    expect(p.get(2)?.expr?.message).toContain('packetz');
  });

  it('draws the caret under a 1-based column, tabs kept, clamped to just past the end', () => {
    expect(caretLine('packets > 2 @ 3', 13)).toBe(' '.repeat(12) + '^');
    expect(caretLine('a\tb', 3)).toBe(' \t^');
    expect(caretLine('abc', 99)).toBe('   ^');
    expect(caretLine('abc', 0)).toBe('^');
  });
});
