// Streaming readers for row formats: CSV (papaparse, here), a JSON array of objects (@streamparser/json,
// path '$.*') and JSON Lines (per-line JSON.parse) in ./json-rows.ts, and the headerless packet
// lines of issue #3 in ./packet-lines.ts. Bytes come in from a
// ReadableStream chunk by chunk and leave as batches of packed REC_* records; memory stays flat in
// the file size (one chunk, one partial row, one batch). Field meaning and validation live in
// ./row-fields.ts. Never evaluates input: JSON.parse and the two parsers only build plain data.
import Papa from 'papaparse';
import type { AnalysisError } from '../shared/protocol';
import type { NameTable } from './names';
import {
  type ColumnMap, fieldValues, missingFieldText, RecordPacker, REQUIRED_FIELDS, resolveColumns, type RowBatch,
} from './row-fields';
import { JsonlSink, JsonSink, type Sink } from './json-rows';
import { LinesSink } from './packet-lines';

export type { RowBatch } from './row-fields';
export { detachRow, parseTimestampUs, parseFlags, FIELD_ALIASES } from './row-fields';
export { MAX_JSONL_LINE_BYTES } from './json-rows';

/** Outcome of readRows(). */
export interface RowReport {
  /** Data rows seen: packed + skipped. Blank lines are not rows. */
  rowsRead: number;
  /** Rows that could not become a record (they still consumed a row index). */
  rowsSkipped: number;
  /** The first 100 problems, each with `line` (1-based; the CSV header is line 1) and a message
   *  that starts with "line N:". When `error` is set it is also the last entry here. */
  problems: AnalysisError[];
  /** A fatal problem that stopped reading (CSV header without a required column, JSON syntax
   *  error, not an array, unreadable stream). Rows before it were delivered. */
  error?: AnalysisError;
  /** True when opts.signal aborted the read; rows before it were delivered. */
  cancelled: boolean;
}

/** Options of readRows(). */
export interface ReadRowsOptions {
  /** Records per RowBatch (the last batch may be smaller). Default 16384. */
  batchRows?: number;
  /** Stops reading at the next chunk boundary. */
  signal?: AbortSignal;
}

/** Row formats readRows() understands (what sniffFormat() reports for them). */
export type RowFormat = 'csv' | 'json' | 'jsonl' | 'lines';

/**
 * Reads CSV, a JSON array of objects, JSON Lines or packet lines from `stream` and calls `onBatch`
 * with packed records (REC_STRIDE bytes each, REC_INDEX = 0-based data-row index) plus the
 * original rows, awaiting it (back-pressure). Columns are matched by alias (see FIELD_ALIASES);
 * timestamp, source, destination and size are required. Packet lines ('lines') have fixed fields
 * (./packet-lines.ts: every non-blank line is a data row; the original row has the field names of
 * PACKET_LINE_FIELDS). Invalid rows are skipped and described in the report; expected failures
 * are values (report.error), never throws for bad input.
 */
export async function readRows(
  stream: ReadableStream<Uint8Array>,
  format: RowFormat,
  names: NameTable,
  onBatch: (b: RowBatch) => void | Promise<void>,
  opts: ReadRowsOptions = {},
): Promise<RowReport> {
  const batchRows = Math.max(1, Math.floor(opts.batchRows ?? 16384));
  const packer = new RecordPacker(names, batchRows);
  const sink: Sink =
    format === 'csv' ? new CsvSink(packer)
      : format === 'json' ? new JsonSink(packer)
        : format === 'lines' ? new LinesSink(packer, names)
          : new JsonlSink(packer);
  const reader = stream.getReader();
  let cancelled = false;
  let readError: AnalysisError | null = null;
  try {
    for (;;) {
      if (opts.signal?.aborted) {
        cancelled = true;
        await reader.cancel().catch(() => undefined);
        break;
      }
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        readError = { code: 'read-failed', message: `reading the input failed: ${(e as Error)?.message ?? String(e)}` };
        break;
      }
      if (r.done) {
        sink.end();
        break;
      }
      if (r.value.length > 0) sink.write(r.value);
      await packer.drain(onBatch);
      if (sink.fatal) {
        await reader.cancel().catch(() => undefined);
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  packer.finish();
  await packer.drain(onBatch);
  const error = sink.fatal ?? readError ?? undefined;
  const problems = packer.problems.slice();
  if (error) problems.push(error);
  return { rowsRead: packer.rowsRead, rowsSkipped: packer.rowsSkipped, problems, error, cancelled };
}

/**
 * CSV through papaparse's low-level Parser (Papa.Parser), fed decoded text: the reader keeps the
 * unparsed tail (a partial row, possibly inside a quoted field) and re-parses it with the next
 * chunk, as papaparse's own ChunkStreamer does. The header row names the columns; the delimiter
 * (',', tab, ';' or '|') and line break (CRLF, LF or CR) are detected from the first line. The
 * TextDecoder drops a UTF-8 BOM. Blank lines are ignored and are not rows.
 */
class CsvSink implements Sink {
  fatal: AnalysisError | null = null;
  private readonly decoder = new TextDecoder('utf-8');
  private text = '';
  /** Line number where `text` starts. */
  private line = 1;
  /** Papa.Parser in step mode (per-row cursors, for text with quotes) and in batch mode. */
  private parser: Papa.Parser | null = null;
  private fastParser: Papa.Parser | null = null;
  private newline = '\n';
  private header: string[] | null = null;
  private map: ColumnMap | null = null;
  private readonly scratch: unknown[] = [];
  // State for the step callback during one parse() call.
  private prev = 0;
  private curLine = 1;

  constructor(private readonly packer: RecordPacker) {}

  write(bytes: Uint8Array): void {
    const s = this.decoder.decode(bytes, { stream: true });
    this.text += s;
    if (s.includes('\n') || s.includes('\r')) this.parse(false);
  }

  end(): void {
    this.text += this.decoder.decode();
    this.parse(true);
  }

  private parse(final: boolean): void {
    if (this.fatal) return;
    if (this.parser === null && !this.setup(final)) return;
    this.prev = 0;
    this.curLine = this.line;
    let cursor: number;
    if (this.text.includes('"')) {
      // A quoted field may span lines: step row by row to know where each row starts.
      cursor = (this.parser!.parse(this.text, 0, !final) as Papa.ParseResult<string[]>).meta.cursor;
    } else {
      // Without quotes every row is one line: parse the chunk at once (far less garbage).
      const res = this.fastParser!.parse(this.text, 0, !final) as Papa.ParseResult<string[]>;
      cursor = res.meta.cursor;
      const rows = res.data;
      for (let i = 0; i < rows.length && !this.fatal; i++) this.row(rows[i], this.curLine++);
    }
    // meta.cursor is the end of the last complete row; the rest is kept for the next chunk.
    this.line = this.curLine;
    this.text = final ? '' : this.text.slice(cursor);
  }

  /** Detects line break and delimiter once the first non-blank line is complete. */
  private setup(final: boolean): boolean {
    const t = this.text;
    const lf = t.indexOf('\n');
    if (lf >= 0) this.newline = lf > 0 && t[lf - 1] === '\r' ? '\r\n' : '\n';
    else if (t.includes('\r') && (final || t.length > 1 << 20)) this.newline = '\r';
    else if (!final) return false;
    let first: string | undefined;
    for (let pos = 0; ; ) {
      const i = t.indexOf(this.newline, pos);
      if (i < 0) {
        if (!final) return false; // the header line is not complete yet
        if (t.slice(pos).trim() !== '') first = t.slice(pos);
        break;
      }
      const l = t.slice(pos, i);
      if (l.trim() !== '') {
        first = l;
        break;
      }
      pos = i + this.newline.length;
    }
    let delimiter = ',';
    let best = 0;
    for (const d of [',', '\t', ';', '|']) {
      const n = first ? first.split(d).length - 1 : 0;
      if (n > best) {
        best = n;
        delimiter = d;
      }
    }
    this.parser = new Papa.Parser({ delimiter, newline: this.newline as '\n', step: (r: Papa.ParseStepResult<string[]>) => this.step(r) });
    this.fastParser = new Papa.Parser({ delimiter, newline: this.newline as '\n' });
    return true;
  }

  private countNewlines(from: number, to: number): number {
    const nl = this.newline === '\r' ? '\r' : '\n';
    let n = 0;
    for (let i = this.text.indexOf(nl, from); i >= 0 && i < to; i = this.text.indexOf(nl, i + 1)) n++;
    return n;
  }

  private step(r: Papa.ParseStepResult<string[]>): void {
    if (this.fatal) return;
    const fields = (r.data as unknown as string[][])[0]; // the raw Parser steps with data = [row]
    const end = r.meta.cursor;
    const line = this.curLine;
    this.curLine += this.countNewlines(this.prev, end);
    this.prev = end;
    this.row(fields, line);
  }

  private row(fields: string[], line: number): void {
    if (this.newline === '\n' && fields.length > 0) {
      const last = fields[fields.length - 1];
      if (last.endsWith('\r')) fields[fields.length - 1] = last.slice(0, -1);
    }
    if (fields.length === 1 && fields[0].trim() === '') return; // blank line
    if (this.header === null) {
      this.setHeader(fields, line);
      return;
    }
    const header = this.header;
    if (fields.length !== header.length) {
      this.packer.skip(`has ${fields.length} fields, the header has ${header.length}`, line);
      return;
    }
    const original: Record<string, unknown> = {};
    for (let i = 0; i < header.length; i++) {
      if (header[i] === '__proto__') Object.defineProperty(original, '__proto__', { value: fields[i], enumerable: true, writable: true, configurable: true });
      else original[header[i]] = fields[i];
    }
    this.packer.add(fieldValues(this.map!, fields, null, this.scratch), original, line);
  }

  private setHeader(fields: string[], line: number): void {
    const seen = new Set<string>();
    this.header = fields.map((raw, i) => {
      let name = (i === 0 ? raw.replace(/^\uFEFF/, '') : raw).trim();
      if (seen.has(name)) {
        let k = 2;
        while (seen.has(`${name}_${k}`)) k++;
        name = `${name}_${k}`;
      }
      seen.add(name);
      return name;
    });
    this.map = resolveColumns(this.header);
    const missing = REQUIRED_FIELDS.filter((f) => this.map![f] < 0);
    if (missing.length > 0) {
      const rest = missing.length > 1 ? ` (also missing: ${missing.slice(1).map((f) => missingFieldText(f).split(' column')[0]).join(', ')})` : '';
      this.fatal = { code: 'csv-missing-column', message: `CSV header has no ${missingFieldText(missing[0])}${rest}`, line };
      this.parser!.abort();
    }
  }
}
