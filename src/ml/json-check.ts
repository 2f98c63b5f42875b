// Checks for reading a learned baseline back from JSON (src/ml/baseline-model.ts fromJson and the
// fromJson of each part): every value is checked for type, range and length, with the JSON path of
// the first problem in the error, so an old or corrupt file is refused with a message naming what
// is wrong and nothing half-read is ever returned. Pure functions, no dependencies.

/** A baseline file that cannot be used; `path` is the JSON path of the offending field ("" for the
 *  whole file). */
export class BaselineFormatError extends Error {
  override name = 'BaselineFormatError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(path ? `baseline file: ${path}: ${problem}` : `baseline file: ${problem}`);
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** The object at `path` (not null, not an array). */
export function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new BaselineFormatError(path, `expected an object, got ${kind(v)}`);
  return v as Record<string, unknown>;
}

export interface NumRange {
  min?: number;
  max?: number;
  int?: boolean;
}

function checkNum(v: unknown, path: string, r: NumRange): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new BaselineFormatError(path, `expected a finite number, got ${kind(v)}`);
  if (r.int && !Number.isInteger(v)) throw new BaselineFormatError(path, `expected an integer, got ${v}`);
  if (r.min !== undefined && v < r.min) throw new BaselineFormatError(path, `${v} is below the minimum ${r.min}`);
  if (r.max !== undefined && v > r.max) throw new BaselineFormatError(path, `${v} is above the maximum ${r.max}`);
  return v;
}

/** The finite number at `path`, within `r`. */
export function num(v: unknown, path: string, r: NumRange = {}): number {
  return checkNum(v, path, r);
}

/** The string at `path`. */
export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new BaselineFormatError(path, `expected a string, got ${kind(v)}`);
  return v;
}

/** The array at `path`, of `length` entries when given. */
export function arr(v: unknown, path: string, length?: number): unknown[] {
  if (!Array.isArray(v)) throw new BaselineFormatError(path, `expected an array, got ${kind(v)}`);
  if (length !== undefined && v.length !== length) throw new BaselineFormatError(path, `expected ${length} entries, got ${v.length}`);
  return v;
}

/** The array of finite numbers at `path` (every entry within `r`), as a plain array. */
export function nums(v: unknown, path: string, length?: number, r: NumRange = {}): number[] {
  const a = arr(v, path, length);
  for (let i = 0; i < a.length; i++) checkNum(a[i], `${path}[${i}]`, r);
  return a as number[];
}

/** Throws unless `o` has exactly the keys `keys` (an unknown key means another format). */
export function keysExactly(o: Record<string, unknown>, path: string, keys: readonly string[]): void {
  for (const k of keys) if (!(k in o)) throw new BaselineFormatError(path, `missing field "${k}"`);
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new BaselineFormatError(path, `unknown field "${k}"`);
}
