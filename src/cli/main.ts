#!/usr/bin/env -S npx tsx
// The command-line entry: runs the same WASM core and pipeline as the page's worker, in Node.
// `flowlens analyze FILE` prints flagged records to stdout (JSONL or CSV, one per line) and a
// summary to stderr. Exit codes: 0 done, 1 input error (message on stderr; what was read before
// the fault is still printed), 2 usage error.
import { accessSync, closeSync, constants, createReadStream, openAsBlob, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, instantiateCore } from '../worker/engine';
import { analyzeBlob, type DirectReader } from '../worker/pipeline';
import { DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../shared/protocol';
import { alertRecords, toCsvHeader, toCsvRow, toJsonlRow } from '../io/alert-rows';
import { formatSummary } from './summary';

export const USAGE = `Usage: flowlens analyze FILE [options]

Reads a pcap, pcapng (optionally gzip-compressed), CSV, JSON or JSON Lines file; the format is
sniffed from the content, never the name. Prints every flagged packet to stdout, one per line,
and a summary (counts, skipped records by reason, packets/s) to stderr.

Options:
  --format jsonl|csv       output format (default jsonl)
  --window N               z-score sliding window, packets per channel (default ${DEFAULT_OPTIONS.zscore.window})
  --threshold Z            flag packets with |z| above Z (default ${DEFAULT_OPTIONS.zscore.threshold})
  --min-samples N          baseline packets before a channel is scored (default ${DEFAULT_OPTIONS.zscore.minSamples})
  --min-std-bytes B        absolute floor of the standard deviation, bytes (default ${DEFAULT_OPTIONS.zscore.minStdBytes})
  --min-std-fraction F     relative floor of the standard deviation, fraction of the mean (default ${DEFAULT_OPTIONS.zscore.minStdFraction})
  --tcp-timeout S          TCP flow idle timeout, seconds (default ${DEFAULT_OPTIONS.flow.tcpTimeoutS})
  --udp-timeout S          UDP flow idle timeout, seconds (default ${DEFAULT_OPTIONS.flow.udpTimeoutS})
  --icmp-timeout S         ICMP flow idle timeout, seconds (default ${DEFAULT_OPTIONS.flow.icmpTimeoutS})
  --max-alerts N           alerts kept in memory and printed; the rest are counted (default ${DEFAULT_OPTIONS.maxAlerts})
  --chunk-bytes N          bytes read per chunk (default ${DEFAULT_OPTIONS.chunkBytes})
  --seed N                 hash seed (default: random per run)
  --quiet                  no summary on stderr
  -h, --help               this text

Exit status: 0 analysed, 1 the input could not be (fully) read, 2 bad usage.`;

class UsageError extends Error {}

function num(v: string | undefined, name: string, fallback: number, integer = false): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) {
    throw new UsageError(`--${name} wants a non-negative ${integer ? 'integer' : 'number'}, got "${v}"`);
  }
  return n;
}

/** Parses argv (without node and the script) into a command, file and options. Throws UsageError. */
export function parseCli(argv: string[]): { file: string; format: 'jsonl' | 'csv'; options: AnalysisOptions; quiet: boolean } | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: 'string' },
      window: { type: 'string' },
      threshold: { type: 'string' },
      'min-samples': { type: 'string' },
      'min-std-bytes': { type: 'string' },
      'min-std-fraction': { type: 'string' },
      'tcp-timeout': { type: 'string' },
      'udp-timeout': { type: 'string' },
      'icmp-timeout': { type: 'string' },
      'max-alerts': { type: 'string' },
      'chunk-bytes': { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const [cmd, file, ...rest] = positionals;
  if (cmd !== 'analyze') throw new UsageError(cmd ? `unknown command "${cmd}"` : 'missing command');
  if (!file) throw new UsageError('missing FILE');
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const format = values.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') throw new UsageError(`--format wants jsonl or csv, got "${format}"`);
  const d = DEFAULT_OPTIONS;
  const window = num(values.window, 'window', d.zscore.window, true);
  if (window < 1) throw new UsageError('--window must be at least 1');
  const options: AnalysisOptions = {
    zscore: {
      enabled: true,
      window,
      threshold: num(values.threshold, 'threshold', d.zscore.threshold),
      minSamples: num(values['min-samples'], 'min-samples', d.zscore.minSamples, true),
      minStdBytes: num(values['min-std-bytes'], 'min-std-bytes', d.zscore.minStdBytes),
      minStdFraction: num(values['min-std-fraction'], 'min-std-fraction', d.zscore.minStdFraction),
    },
    flow: {
      ...d.flow,
      tcpTimeoutS: num(values['tcp-timeout'], 'tcp-timeout', d.flow.tcpTimeoutS),
      udpTimeoutS: num(values['udp-timeout'], 'udp-timeout', d.flow.udpTimeoutS),
      icmpTimeoutS: num(values['icmp-timeout'], 'icmp-timeout', d.flow.icmpTimeoutS),
    },
    chunkBytes: num(values['chunk-bytes'], 'chunk-bytes', d.chunkBytes, true),
    maxAlerts: num(values['max-alerts'], 'max-alerts', d.maxAlerts, true),
    seed: values.seed === undefined ? undefined : num(values.seed, 'seed', 0, true),
  };
  return { file, format, options, quiet: !!values.quiet };
}

/** Loads the core from build/core.wasm (built by `npm run asbuild`). */
export async function nodeEngine(): Promise<Engine> {
  const wasm = readFileSync(new URL('../../build/core.wasm', import.meta.url));
  return new Engine(await instantiateCore(wasm));
}

/** Zero-copy reads for the pipeline: fs.readSync straight into the core's input region. */
export function fileReader(fd: number): DirectReader {
  return { readInto: (target, position) => readSync(fd, target, 0, target.length, position) };
}

/** Node's zlib over the file, in 1 MiB pieces (the pipeline calls it only for gzip content). */
export function fileGunzip(file: string): () => AsyncIterator<Uint8Array> {
  return () =>
    createReadStream(file, { highWaterMark: 1 << 20 })
      .pipe(createGunzip({ chunkSize: 1 << 20 }))
      [Symbol.asyncIterator]();
}

/** Runs the analysis of one file; returns the result (for tests) after writing the outputs. */
export async function runAnalyze(
  file: string,
  format: 'jsonl' | 'csv',
  options: AnalysisOptions,
  out: (s: string) => void,
): Promise<AnalysisResult> {
  // openAsBlob's own error carries no errno; check first so the message says what is wrong.
  accessSync(file, constants.R_OK);
  if (!statSync(file).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
  const blob = await openAsBlob(file);
  const fd = openSync(file, 'r');
  let result: AnalysisResult;
  try {
    ({ result } = await analyzeBlob(await nodeEngine(), blob, basename(file), options, { direct: fileReader(fd), gunzip: fileGunzip(file) }));
  } finally {
    closeSync(fd);
  }
  const rows = alertRecords(result);
  if (format === 'csv') {
    if (rows.length > 0) out(toCsvHeader(rows) + '\n');
    for (const r of rows) out(toCsvRow(r) + '\n');
  } else for (const r of rows) out(toJsonlRow(r) + '\n');
  return result;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`flowlens: ${(e as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let result: AnalysisResult;
  try {
    result = await runAnalyze(parsed.file, parsed.format, parsed.options, (s) => process.stdout.write(s));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      process.stderr.write(`flowlens: cannot read ${parsed.file}: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
  if (!parsed.quiet) process.stderr.write(formatSummary(result) + '\n');
  if (result.error) {
    process.stderr.write(`flowlens: ${parsed.file}: ${result.error.message}\n`);
    return 1;
  }
  return 0;
}

const isMain = process.argv[1] && import.meta.url.endsWith(basename(process.argv[1]));
if (isMain) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`flowlens: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 70;
    },
  );
}
