// Proves analyze's blame table, critical path, JSON and SVG output, and its errors for missing or foreign reports.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import type { ReportDoc } from '../status/formats';
import { fakeSystem, type FakeSystem } from '../status/test-fixtures';
import { xmlProblem } from '../status/xml-check';
import { analyzeCommand } from './analyze';
import { parseCommandArgs } from './command';

let sys: FakeSystem;
afterEach(() => sys?.cleanup());

const report: ReportDoc = {
  version: 1, state: 'done', mode: 'run', agentVersion: '0', startedAt: '2025-01-01T00:00:00.000Z', durationMs: 50,
  image: { name: 'hello', version: '1.2.0' },
  steps: [
    { name: 'manifest', title: 'Loading manifest', outcome: 'ok', summary: 'Loaded manifest', startMs: 1, durationMs: 2, items: [] },
    { name: 'user-data', title: 'Reading user data', outcome: 'ok', summary: 'Read user data from nocloud', startMs: 3, durationMs: 30, items: [
      { kind: 'platform', name: 'nocloud', outcome: 'ok', startMs: 4, durationMs: 28 } ] },
    { name: 'templates', title: 'Rendering templates', outcome: 'ok', summary: 'Rendered 1 template', startMs: 33, durationMs: 12, items: [
      { kind: 'template', name: '/etc/motd', outcome: 'changed', startMs: 33, durationMs: 5 } ] },
  ],
};

function writeReport(doc: unknown): void {
  mkdirSync(join(sys.hostPaths.run, 'cloudlet'), { recursive: true });
  writeFileSync(join(sys.hostPaths.run, 'cloudlet', 'report.json'), JSON.stringify(doc));
}

const analyze = async (...argv: string[]) => analyzeCommand.run(parseCommandArgs(analyzeCommand, argv), sys);

describe('analyze', () => {
  it('prints the blame table slowest first and the critical path', async () => {
    sys = fakeSystem();
    writeReport(report);
    expect(await analyze()).toBe(0);
    const out = sys.outLines.join('\n');
    expect(out).toContain('Run of hello 1.2.0 (run mode, 2025-01-01T00:00:00.000Z): done in 50 ms');
    const blame = out.slice(out.indexOf('Blame'), out.indexOf('Critical path'));
    expect(blame.indexOf('user-data')).toBeLessThan(blame.indexOf('platform nocloud'));
    expect(blame.indexOf('platform nocloud')).toBeLessThan(blame.indexOf('templates'));
    expect(out).toMatch(/user-data\s+30\.0 ms\s+<- platform nocloud 28\.0 ms/);
    expect(out).toMatch(/\(outside steps\)\s+6\.0 ms/);
  });

  it('gives blame and critical path as JSON', async () => {
    sys = fakeSystem();
    writeReport(report);
    expect(await analyze('--json')).toBe(0);
    const json = JSON.parse(sys.outLines.join('\n')) as { totalMs: number; blame: { name: string }[]; criticalPath: { chain: unknown[] } };
    expect(json.totalMs).toBe(50);
    expect(json.blame[0]?.name).toBe('user-data');
    expect(json.criticalPath.chain).toHaveLength(3);
  });

  it('writes a well-formed SVG timeline with every step, atomically', async () => {
    sys = fakeSystem();
    writeReport(report);
    const dir = join(sys.hostPaths.run, 'out');
    mkdirSync(dir);
    expect(await analyze('--svg', join(dir, 'boot.svg'))).toBe(0);
    const svg = readFileSync(join(dir, 'boot.svg'), 'utf8');
    expect(xmlProblem(svg)).toBeUndefined();
    for (const step of report.steps) expect(svg).toContain(`data-step="${step.name}"`);
    expect(readdirSync(dir)).toEqual(['boot.svg']);
  });

  it('analyzes a report copied elsewhere with --report', async () => {
    sys = fakeSystem();
    mkdirSync(sys.hostPaths.run, { recursive: true });
    const file = join(sys.hostPaths.run, 'copied.json');
    writeFileSync(file, JSON.stringify(report));
    expect(await analyze('--report', file, '--json')).toBe(0);
  });

  it('explains a missing report instead of crashing', async () => {
    sys = fakeSystem();
    await expect(analyze()).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining('no report to analyze') });
  });

  /** The error analyze fails with; it must be invalid input (exit 2), never a crash. */
  const refusal = async (...argv: string[]): Promise<AgentError> => {
    const err = await analyze(...argv).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AgentError);
    return err as AgentError;
  };

  it('refuses a report of another version as invalid input, exit 2', async () => {
    sys = fakeSystem();
    writeReport({ ...report, version: 99 });
    const err = await refusal();
    expect([err.code, err.exitCode]).toEqual(['E_REPORT_INVALID', 2]);
    expect(err.message).toContain('version 99');
    expect(err.message).toContain('version 1');
    expect(existsSync(join(sys.hostPaths.run, 'cloudlet', 'report.json'))).toBe(true);
  });

  it('refuses a report that is not JSON, or not the shape of a report, naming the JSON path, exit 2', async () => {
    sys = fakeSystem();
    mkdirSync(join(sys.hostPaths.run, 'cloudlet'), { recursive: true });
    writeFileSync(join(sys.hostPaths.run, 'cloudlet', 'report.json'), JSON.stringify(report).slice(0, 100));
    expect((await refusal()).exitCode).toBe(2);
    const broken = [
      { ...report, steps: 'none' },
      { ...report, steps: [{ ...report.steps[0], items: null }] },
      { ...report, steps: [{ ...report.steps[0], startMs: '1' }] },
      { ...report, steps: [report.steps[0], { ...report.steps[1], items: [{ kind: 'platform', name: 'x', outcome: 'ok', startMs: 1 }] }] },
    ];
    const paths = ['/steps', '/steps/0/items', '/steps/0/startMs', '/steps/1/items/0/durationMs'];
    for (const [i, doc] of broken.entries()) {
      writeReport(doc);
      const err = await refusal('--svg', join(sys.hostPaths.run, 'x.svg'));
      expect([err.code, err.exitCode, err.problems[0]?.path]).toEqual(['E_REPORT_INVALID', 2, paths[i]]);
    }
  });
});
