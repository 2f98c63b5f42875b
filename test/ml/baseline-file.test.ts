// The version 2 baseline file (src/ml/baseline-file.ts) on generated connections: round trip to the
// same text and scores, version 1 refused with "learn again", other versions and formats refused,
// every corrupt part named by its JSON path (envelope, source, model, core), describeBaseline and
// checkBaselineFile.
import { describe, expect, it } from 'vitest';
import { learn, scoreConnections } from '../../src/ml/baseline-model';
import { baselineFileFromJson, baselineFileToJson, checkBaselineFile, describeBaseline, type BaselineFile } from '../../src/ml/baseline-file';
import { BaselineFormatError } from '../../src/ml/json-check';
import { coreBaselinesToJson } from '../../src/worker/core-baselines';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';
import { officeClient } from './gen';

const CREATED = '2024-06-01T12:00:00.000Z';
const model = learn([...officeClient(1, '10.0.0.1', 3), ...officeClient(2, '10.0.0.2', 3)], {}, CREATED);
const file: BaselineFile = {
  createdAt: CREATED,
  source: { fileName: 'office.pcap', packets: 12345, firstUs: model.counts.firstUs, lastUs: model.counts.lastUs },
  model,
  core: coreBaselinesToJson(new Uint8Array(0), DEFAULT_OPTIONS),
  coreRecords: new Uint8Array(0),
};
const text = baselineFileToJson(file);

/** baselineFileFromJson of the file after `edit`: a BaselineFormatError with `path` whose message matches. */
function refused(edit: (o: any) => void, path: string, message: RegExp) {
  const o = JSON.parse(text);
  edit(o);
  let err: unknown;
  try {
    baselineFileFromJson(JSON.stringify(o), DEFAULT_OPTIONS);
  } catch (e) {
    err = e;
  }
  expect(err, String(message)).toBeInstanceOf(BaselineFormatError);
  expect((err as BaselineFormatError).path).toBe(path);
  expect((err as Error).message).toMatch(message);
}

describe('baseline file', () => {
  it('round-trips to the same text and the same scores', () => {
    const back = baselineFileFromJson(text, DEFAULT_OPTIONS);
    expect(baselineFileToJson(back)).toBe(text);
    expect(back.source).toEqual(file.source);
    const probe = officeClient(3, '10.0.0.1', 1).slice(0, 200);
    expect(scoreConnections(back.model, probe)).toEqual(scoreConnections(model, probe));
    const root = JSON.parse(text);
    expect(Object.keys(root)).toEqual(['format', 'version', 'createdAt', 'source', 'model', 'core']);
    expect([root.format, root.version]).toEqual(['flowlens-baseline', 2]);
  });

  it('refuses version 1 with "learn again", and other versions', () => {
    refused((o) => (o.version = 1), 'version', /version 1 .*no longer read; learn the baseline again/);
    refused((o) => (o.version = 3), 'version', /version 3 is newer than this build's 2/);
    refused((o) => (o.version = '2'), 'version', /expected a finite number/);
  });

  it('refuses what is not a Flowlens baseline', () => {
    expect(() => baselineFileFromJson('{"format":', DEFAULT_OPTIONS)).toThrow(/baseline file: not JSON/);
    expect(() => baselineFileFromJson('[]', DEFAULT_OPTIONS)).toThrow(/expected an object, got an array/);
    refused((o) => (o.format = 'pcap'), 'format', /not a Flowlens baseline/);
  });

  it('names the corrupt part by its JSON path', () => {
    refused((o) => (o.extra = 1), '', /unknown field "extra"/);
    refused((o) => delete o.core, '', /missing field "core"/);
    refused((o) => (o.createdAt = 'soon'), 'createdAt', /not a date/);
    refused((o) => (o.source.packets = -1), 'source.packets', /below the minimum 0/);
    refused((o) => (o.source.lastUs = o.source.firstUs - 1), 'source.lastUs', /before firstUs/);
    refused((o) => delete o.source.fileName, 'source', /missing field "fileName"/);
    refused((o) => (o.model.counts.connections = 1), 'model.counts.connections', /fewer than 2 connections/);
    refused((o) => (o.model.options.weights.ml = 0.9), 'model.options.weights', /must be 1/);
    refused((o) => (o.model.profiles[1][1].days[0] += 1), 'model.profiles[1][1].days', /bins do not add up/);
    refused((o) => (o.model.forest.size[0] -= 1), 'model.forest.size[0]', /root of tree 0/);
    refused((o) => (o.model = null), 'model', /expected an object, got null/);
  });

  it('describes what it holds', () => {
    const { file: f, summary } = checkBaselineFile(text);
    expect(f.model.counts.connections).toBe(model.counts.connections);
    expect(summary).toEqual({
      createdAt: CREATED,
      sourceFile: 'office.pcap',
      connections: model.counts.connections,
      sources: 2,
      profiled: 2,
      spikeDestinations: 0,
      latencyServers: 0,
      longconnServices: 0,
      sizeBytes: new TextEncoder().encode(text).length,
    });
    expect(describeBaseline(f)).not.toHaveProperty('sizeBytes');
    expect(() => checkBaselineFile(text.replace('"version":2', '"version":1'))).toThrow(/learn the baseline again/);
  });
});
