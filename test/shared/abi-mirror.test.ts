// The TS mirror of the core's ABI must agree with assembly/abi.ts constant by constant.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';

describe('abi mirror', () => {
  it('has every constant of assembly/abi.ts with the same value', () => {
    const src = readFileSync(new URL('../../assembly/abi.ts', import.meta.url), 'utf8');
    const consts = [...src.matchAll(/export const (\w+): \w+ = ([^;]+);/g)];
    expect(consts.length).toBeGreaterThan(50);
    for (const [, name, value] of consts) {
      expect((abi as Record<string, number>)[name], name).toBe(Number(value));
    }
    expect(Object.keys(abi).length).toBe(consts.length);
  });
});
