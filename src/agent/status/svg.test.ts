// Proves the SVG timeline is well-formed and shows every step and item with its duration.

import { describe, expect, it } from 'vitest';
import type { ReportDoc } from './formats';
import { escapeXml, timelineSvg } from './svg';
import { xmlProblem } from './xml-check';

const report = (over: Partial<ReportDoc> = {}): ReportDoc => ({
  version: 1, state: 'done', mode: 'run', agentVersion: '0.1.0', startedAt: '2025-01-02T03:04:05.000Z', durationMs: 40,
  image: { name: 'hello & <friends>', version: '1.2.0' },
  steps: [
    { name: 'manifest', title: 'Loading manifest', outcome: 'ok', summary: 'Loaded', startMs: 0, durationMs: 2, items: [] },
    { name: 'user-data', title: 'Reading user data', outcome: 'ok', summary: 'Read "it" <here>', startMs: 2, durationMs: 30, items: [
      { kind: 'platform', name: 'nocloud', outcome: 'ok', startMs: 2.5, durationMs: 29 } ] },
    { name: 'templates', title: 'Rendering templates', outcome: 'failed', summary: 'a & b', startMs: 32, durationMs: 8, items: [
      { kind: 'template', name: "/etc/<x>&'y'", outcome: 'failed', startMs: 32.5, durationMs: 7, detail: 'line 3: "oops" & <more>' } ] },
  ],
  ...over,
});

describe('xmlProblem (the checker the SVG tests rely on)', () => {
  it('accepts a well-formed document and catches each kind of breakage', () => {
    expect(xmlProblem('<?xml version="1.0"?>\n<a x="1"><b/>t &amp; u</a>\n')).toBeUndefined();
    expect(xmlProblem('<a><b></a>')).toMatch(/unbalanced/);
    expect(xmlProblem('<a>x & y</a>')).toMatch(/entity/);
    expect(xmlProblem('<a x="1" x="2"/>')).toMatch(/duplicate/);
    expect(xmlProblem('<a x=1/>')).toBeDefined();
    expect(xmlProblem('<a title="<"/>')).toBeDefined();
    expect(xmlProblem('<a></a><b/>')).toMatch(/root/);
    expect(xmlProblem('<a>')).toMatch(/unclosed/);
  });
});

describe('timelineSvg', () => {
  it('is well-formed XML even with markup characters in every name', () => {
    expect(xmlProblem(timelineSvg(report()))).toBeUndefined();
  });

  it('has a bar and a label for each step and each item', () => {
    const svg = timelineSvg(report());
    for (const step of ['manifest', 'user-data', 'templates']) expect(svg).toContain(`data-step="${step}"`);
    expect(svg.match(/<g class="step"/g)).toHaveLength(3);
    expect(svg.match(/<g class="item"/g)).toHaveLength(2);
    expect(svg).toContain('platform nocloud');
    expect(svg).toContain(escapeXml("template /etc/<x>&'y'"));
  });

  it('labels bars with their durations and draws an axis with ticks up to the total', () => {
    const svg = timelineSvg(report());
    expect(svg).toContain('>30 ms<');
    expect(svg).toContain('>2.0 ms<');
    expect(svg).toContain('>0 ms<');
    expect(svg).toContain('>40 ms<');
  });

  it('sums up items beyond the per-step limit in one row', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({ kind: 'template' as const, name: `/etc/t${i}`, outcome: 'changed' as const, startMs: 2 + i * 0.3, durationMs: 0.25 }));
    const svg = timelineSvg(report({ steps: [{ name: 'templates', title: 'Rendering templates', outcome: 'ok', startMs: 1, durationMs: 35, items: many }] }));
    expect(svg.match(/<g class="item"/g)).toHaveLength(40);
    expect(svg).toContain('60 more items');
    expect(xmlProblem(svg)).toBeUndefined();
  });

  it('keeps the label of a bar that reaches the right edge inside the picture', () => {
    const svg = timelineSvg(report({ steps: [{ name: 'mounts', title: 'Mounting', outcome: 'degraded', startMs: 0, durationMs: 4321, items: [] }], durationMs: 4321 }));
    expect(svg).toMatch(/<text x="[\d.]+" y="[\d.]+" fill="#ffffff" text-anchor="end">4\.32 s degraded<\/text>/);
  });

  it('draws a report of a run that never finished', () => {
    const svg = timelineSvg(report({ state: 'running', durationMs: undefined }));
    expect(xmlProblem(svg)).toBeUndefined();
    expect(svg).toContain('running in 40 ms');
  });
});
