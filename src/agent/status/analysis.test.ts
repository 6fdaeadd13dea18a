// Proves blame ordering, item limits and the critical path computed from report.json.

import { describe, expect, it } from 'vitest';
import { blame, criticalPath } from './analysis';
import type { ReportDoc } from './formats';

const report: ReportDoc = {
  version: 1, state: 'done', mode: 'run', agentVersion: '0', startedAt: '2025-01-01T00:00:00.000Z', durationMs: 50,
  steps: [
    { name: 'manifest', title: 'm', outcome: 'ok', startMs: 1, durationMs: 2, items: [] },
    { name: 'user-data', title: 'u', outcome: 'ok', startMs: 3, durationMs: 30, items: [
      { kind: 'platform', name: 'fwcfg', outcome: 'absent', startMs: 3, durationMs: 1 },
      { kind: 'platform', name: 'nocloud', outcome: 'ok', startMs: 4, durationMs: 28 } ] },
    { name: 'templates', title: 't', outcome: 'ok', startMs: 33, durationMs: 12, items: [
      { kind: 'template', name: '/etc/a', outcome: 'changed', startMs: 33, durationMs: 5 } ] },
  ],
};

describe('blame', () => {
  it('lists steps and items together, slowest first', () => {
    expect(blame(report).map((r) => [r.name, r.durationMs])).toEqual([
      ['user-data', 30], ['nocloud', 28], ['templates', 12], ['/etc/a', 5], ['manifest', 2], ['fwcfg', 1],
    ]);
  });

  it('keeps every step but only the slowest items', () => {
    expect(blame(report, 1).map((r) => r.name)).toEqual(['user-data', 'nocloud', 'templates', 'manifest']);
  });
});

describe('criticalPath', () => {
  it('chains the steps in order, names the slowest item in each, and accounts for time outside steps', () => {
    const path = criticalPath(report);
    expect(path.totalMs).toBe(50);
    expect(path.chain.map((l) => [l.step, l.startMs, l.durationMs, l.slowest?.name])).toEqual([
      ['manifest', 1, 2, undefined], ['user-data', 3, 30, 'nocloud'], ['templates', 33, 12, '/etc/a'],
    ]);
    expect(path.outsideStepsMs).toBe(6);
  });

  it('uses the end of the last step as total when the run did not finish', () => {
    expect(criticalPath({ ...report, durationMs: undefined }).totalMs).toBe(45);
  });
});
