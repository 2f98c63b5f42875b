// JSON row readers for readRows() (src/io/rows.ts): a JSON array of objects through
// @streamparser/json (one element held at a time) and JSON Lines through per-line JSON.parse.
// Both hand row objects to the RecordPacker with the line each row starts on. Neither evaluates
// input; "__proto__" keys stay own properties (the parser's setProperty and JSON.parse both do so).
import { JSONParser, TokenType } from '@streamparser/json';
import type { AnalysisError } from '../shared/protocol';
import { type ColumnMap, fieldValues, missingFieldText, RecordPacker, REQUIRED_FIELDS, resolveColumns } from './row-fields';

/** Longest JSON Lines line accepted, bytes; longer lines are skipped as bad rows. */
export const MAX_JSONL_LINE_BYTES = 8 * 1024 * 1024;

/** A format reader fed by readRows(): bytes in, rows to the packer. */
export interface Sink {
  write(bytes: Uint8Array): void;
  end(): void;
  /** Set when a fatal error stops the reader. */
  fatal: AnalysisError | null;
}

/** Looks up fields of row objects (JSON, JSON Lines), caching the column map per key list. */
export class ObjectRows {
  private readonly maps = new Map<string, ColumnMap>();
  private readonly scratch: unknown[] = [];
  constructor(private readonly packer: RecordPacker) {}

  add(value: unknown, line: number): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.packer.skip(`expected an object, found ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, line);
      return;
    }
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    const sig = keys.join('\u0001');
    let map = this.maps.get(sig);
    if (map === undefined) {
      if (this.maps.size > 1024) this.maps.clear();
      map = resolveColumns(keys);
      this.maps.set(sig, map);
    }
    for (const f of REQUIRED_FIELDS) {
      if (map[f] < 0) {
        this.packer.skip(`no ${missingFieldText(f)}`, line);
        return;
      }
    }
    this.packer.add(fieldValues(map, obj, keys, this.scratch), obj, line);
  }
}

/**
 * A JSON array of row objects through @streamparser/json with paths ['$.*'] and keepStack false,
 * so only one element is held at a time. Line numbers come from token byte offsets: the reader
 * counts newlines up to the opening token of each top-level element. A syntax error is fatal
 * (the parser cannot resume); a non-object element is a skipped row.
 */
export class JsonSink implements Sink {
  fatal: AnalysisError | null = null;
  private readonly parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  private readonly rows: ObjectRows;
  private depth = 0;
  private started = false;
  private head: number[] = [];
  private bomLen = 0;
  private chunk: Uint8Array = new Uint8Array(0);
  private chunkBase = 0;
  /** Absolute byte offset up to which newlines are counted, and the line there. */
  private cursor = 0;
  private line = 1;
  private elemLine = 1;

  constructor(packer: RecordPacker) {
    this.rows = new ObjectRows(packer);
    this.parser.onToken = ({ token, offset }) => this.token(token, offset);
    this.parser.onValue = ({ value }) => {
      if (!this.fatal) this.rows.add(value, this.elemLine);
    };
    this.parser.onError = (err) => {
      if (!this.fatal) this.fatal = { code: 'bad-json', message: `line ${this.line}: ${err.message}`, line: this.line };
    };
  }

  write(bytes: Uint8Array): void {
    if (this.fatal) return;
    for (let i = 0; i < bytes.length && this.head.length < 3; i++) {
      this.head.push(bytes[i]);
      if (this.head.length === 3 && this.head[0] === 0xef && this.head[1] === 0xbb && this.head[2] === 0xbf) this.bomLen = 3;
    }
    this.chunk = bytes;
    this.parser.write(bytes);
    this.countTo(this.chunkBase + bytes.length);
    this.chunkBase += bytes.length;
  }

  end(): void {
    if (this.fatal) return;
    if (!this.started) {
      this.fatal = { code: 'bad-json', message: 'JSON input is empty; expected an array of row objects', line: this.line };
      return;
    }
    if (!this.parser.isEnded) this.parser.end();
  }

  private countTo(abs: number): void {
    if (abs <= this.cursor) return;
    const c = this.chunk;
    const from = Math.max(this.cursor, this.chunkBase) - this.chunkBase;
    const to = Math.min(abs - this.chunkBase, c.length);
    for (let i = from; i < to; i++) if (c[i] === 0x0a) this.line++;
    this.cursor = abs;
  }

  private token(token: TokenType, offset: number): void {
    if (this.fatal) return;
    if (!this.started) {
      this.started = true;
      if (token !== TokenType.LEFT_BRACKET) {
        this.countTo(offset + this.bomLen);
        this.fatal = {
          code: 'not-an-array',
          message: `line ${this.line}: JSON input must be an array of row objects ([{...}, ...]); use JSON Lines for one object per line`,
          line: this.line,
        };
        return;
      }
    }
    const open = token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET;
    const close = token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET;
    const value = open || token === TokenType.STRING || token === TokenType.NUMBER || token === TokenType.TRUE ||
      token === TokenType.FALSE || token === TokenType.NULL;
    if (value && this.depth === 1) {
      this.countTo(offset + this.bomLen);
      this.elemLine = this.line;
    } else if (this.depth <= 1) {
      this.countTo(offset + this.bomLen);
    }
    if (open) this.depth++;
    else if (close) this.depth--;
  }
}

/**
 * JSON Lines: one JSON object per line, split on LF at the byte level and parsed with JSON.parse.
 * Chosen over @streamparser/json's separator mode because that parser ends at the first syntax
 * error, while a bad line here is one skipped row with an exact line number and the rest of the
 * file still reads. Blank lines are ignored; CRLF is accepted; lines over MAX_JSONL_LINE_BYTES
 * are skipped without being buffered.
 */
export class JsonlSink implements Sink {
  fatal: AnalysisError | null = null;
  private readonly rows: ObjectRows;
  private readonly decoder = new TextDecoder('utf-8');
  private carry: Uint8Array[] = [];
  private carryLen = 0;
  private tooLong = false;
  private line = 1;

  constructor(private readonly packer: RecordPacker) {
    this.rows = new ObjectRows(packer);
  }

  write(bytes: Uint8Array): void {
    let start = 0;
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, start)) {
      this.take(bytes.subarray(start, i));
      this.flushLine();
      start = i + 1;
    }
    this.take(bytes.subarray(start));
  }

  end(): void {
    if (this.carryLen > 0 || this.tooLong) this.flushLine();
  }

  private take(part: Uint8Array): void {
    if (part.length === 0 || this.tooLong) return;
    if (this.carryLen + part.length > MAX_JSONL_LINE_BYTES) {
      this.tooLong = true;
      this.carry = [];
      this.carryLen = 0;
      return;
    }
    this.carry.push(part.slice());
    this.carryLen += part.length;
  }

  private flushLine(): void {
    const line = this.line++;
    if (this.tooLong) {
      this.tooLong = false;
      this.packer.skip(`line longer than ${MAX_JSONL_LINE_BYTES} bytes`, line);
      return;
    }
    let bytes: Uint8Array;
    if (this.carry.length === 1) bytes = this.carry[0];
    else {
      bytes = new Uint8Array(this.carryLen);
      let at = 0;
      for (const c of this.carry) {
        bytes.set(c, at);
        at += c.length;
      }
    }
    this.carry = [];
    this.carryLen = 0;
    const text = this.decoder.decode(bytes).trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.packer.skip(`not valid JSON (${(e as Error).message})`, line);
      return;
    }
    this.rows.add(value, line);
  }
}
