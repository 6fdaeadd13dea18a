// Draws report.json as a self-contained SVG timeline: a bar per step, nested bars for its items, an ms axis.

import { clip } from './format';
import { totalOf } from './analysis';
import type { ReportDoc, ReportItem, ReportStep } from './formats';

const WIDTH = 1000;
const LABEL_W = 280;
const RIGHT_PAD = 90;
const TOP = 78;
const STEP_ROW = 26;
const ITEM_ROW = 19;
/** Beyond this many items a step shows one summary row: a picture of 500 template bars helps nobody. */
const MAX_ITEMS_PER_STEP = 40;
const FONT = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";

const COLORS: Record<string, string> = {
  ok: '#3b8f4a',
  changed: '#3b8f4a',
  unchanged: '#8fb996',
  failed: '#c0392b',
  degraded: '#e08e0b',
  skipped: '#9e9e9e',
  absent: '#9e9e9e',
};
const RUNNING = '#5b7fbf';

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

type Row = { kind: 'step'; step: ReportStep } | { kind: 'item'; item: ReportItem } | { kind: 'more'; count: number; durationMs: number };

export function timelineSvg(report: ReportDoc): string {
  const total = Math.max(totalOf(report), 0.001);
  const plotW = WIDTH - LABEL_W - RIGHT_PAD;
  const x = (ms: number) => LABEL_W + (Math.max(0, ms) / total) * plotW;
  const rows = rowsOf(report);
  const height = TOP + rows.reduce((h, r) => h + (r.kind === 'step' ? STEP_ROW : ITEM_ROW), 0) + 56;
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="${FONT}" font-size="12">`);
  out.push(`<title>${escapeXml(titleOf(report, total))}</title>`);
  out.push(`<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="16" font-weight="bold" fill="#222">${escapeXml(titleOf(report, total))}</text>`);
  out.push(`<text x="16" y="44" fill="#666">${escapeXml(subtitleOf(report))}</text>`);
  out.push(...axis(total, x, TOP, height - 40));

  let y = TOP;
  for (const row of rows) {
    if (row.kind === 'step') {
      out.push(...stepRow(row.step, x, y));
      y += STEP_ROW;
    } else if (row.kind === 'item') {
      out.push(...itemRow(row.item, x, y));
      y += ITEM_ROW;
    } else {
      out.push(`<text x="36" y="${y + 13}" fill="#777" font-style="italic">${escapeXml(`… ${row.count} more items (${fmt(row.durationMs)} together)`)}</text>`);
      y += ITEM_ROW;
    }
  }
  out.push(...legend(height - 22));
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function rowsOf(report: ReportDoc): Row[] {
  const rows: Row[] = [];
  for (const step of report.steps) {
    rows.push({ kind: 'step', step });
    const shown = step.items.slice(0, MAX_ITEMS_PER_STEP);
    for (const item of shown) rows.push({ kind: 'item', item });
    const rest = step.items.slice(MAX_ITEMS_PER_STEP);
    if (rest.length) rows.push({ kind: 'more', count: rest.length, durationMs: rest.reduce((s, i) => s + i.durationMs, 0) });
  }
  return rows;
}

function stepRow(step: ReportStep, x: (ms: number) => number, y: number): string[] {
  const dur = step.durationMs ?? 0;
  const x0 = x(step.startMs);
  const w = Math.max(2, x(step.startMs + dur) - x0);
  const color = step.outcome ? (COLORS[step.outcome] ?? RUNNING) : RUNNING;
  const tip = `${step.title}: ${step.summary ?? 'running'} (${fmt(dur)}, starts at ${fmt(step.startMs)})`;
  return [
    `<g class="step" data-step="${escapeXml(step.name)}">`,
    `<title>${escapeXml(tip)}</title>`,
    `<rect x="0" y="${y}" width="${WIDTH}" height="${STEP_ROW}" fill="#f3f5f8" opacity="0.6"/>`,
    `<text x="16" y="${y + 17}" font-weight="bold" fill="#222">${escapeXml(clip(step.name, 34))}</text>`,
    `<rect x="${r(x0)}" y="${y + 5}" width="${r(w)}" height="${STEP_ROW - 10}" rx="2" fill="${color}"/>`,
    barLabel(`${fmt(dur)}${step.outcome && step.outcome !== 'ok' ? ` ${step.outcome}` : ''}`, x0, w, y + 17, 12, '#222'),
    '</g>',
  ];
}

function itemRow(item: ReportItem, x: (ms: number) => number, y: number): string[] {
  const x0 = x(item.startMs);
  const w = Math.max(1.5, x(item.startMs + item.durationMs) - x0);
  const color = COLORS[item.outcome] ?? RUNNING;
  const tip = `${item.kind} ${item.name}: ${item.outcome}${item.detail ? ` (${item.detail})` : ''}, ${fmt(item.durationMs)}`;
  return [
    `<g class="item" data-kind="${escapeXml(item.kind)}">`,
    `<title>${escapeXml(tip)}</title>`,
    `<text x="36" y="${y + 13}" font-size="11" fill="#444">${escapeXml(`${item.kind} ${clip(item.name, 36)}`)}</text>`,
    `<rect x="${r(x0)}" y="${y + 5}" width="${r(w)}" height="${ITEM_ROW - 10}" rx="1.5" fill="${color}" opacity="0.75"/>`,
    barLabel(fmt(item.durationMs), x0, w, y + 13, 10.5, '#555'),
    '</g>',
  ];
}

/** After the bar; inside its end (white on the bar) when the text would run off the picture. */
function barLabel(text: string, x0: number, w: number, y: number, size: number, color: string): string {
  const width = text.length * size * 0.6;
  const sz = size === 12 ? '' : ` font-size="${size}"`;
  if (x0 + w + 6 + width <= WIDTH - 4) return `<text x="${r(x0 + w + 6)}" y="${y}"${sz} fill="${color}">${escapeXml(text)}</text>`;
  return `<text x="${r(x0 + w - 4)}" y="${y}"${sz} fill="#ffffff" text-anchor="end">${escapeXml(text)}</text>`;
}

function axis(total: number, x: (ms: number) => number, top: number, bottom: number): string[] {
  const step = niceStep(total / 8);
  const out = [`<line x1="${LABEL_W}" y1="${top - 6}" x2="${r(x(total))}" y2="${top - 6}" stroke="#888"/>`];
  for (let i = 0; i * step <= total * (1 + 1e-9); i++) {
    const t = i * step;
    const tx = r(x(t));
    out.push(`<line x1="${tx}" y1="${top - 10}" x2="${tx}" y2="${bottom}" stroke="#d9dde3" stroke-width="1"/>`);
    out.push(`<text x="${tx}" y="${top - 14}" font-size="11" fill="#555" text-anchor="middle">${escapeXml(fmtTick(t, step))}</text>`);
  }
  return out;
}

function legend(y: number): string[] {
  const entries: [string, string][] = [['ok / changed', COLORS.ok as string], ['unchanged', COLORS.unchanged as string], ['degraded', COLORS.degraded as string], ['failed', COLORS.failed as string], ['skipped', COLORS.skipped as string], ['running', RUNNING]];
  const out: string[] = [];
  let lx = 16;
  for (const [label, color] of entries) {
    out.push(`<rect x="${lx}" y="${y - 10}" width="12" height="12" rx="2" fill="${color}"/>`);
    out.push(`<text x="${lx + 17}" y="${y}" font-size="11" fill="#444">${escapeXml(label)}</text>`);
    lx += 30 + label.length * 7;
  }
  return out;
}

/** 1, 2 or 5 times a power of ten: ticks people can read at a glance. */
function niceStep(rough: number): number {
  const pow = 10 ** Math.floor(Math.log10(Math.max(rough, 1e-6)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= rough) return m * pow;
  return 10 * pow;
}

function titleOf(report: ReportDoc, total: number): string {
  const image = report.image ? `${report.image.name}${report.image.version ? ` ${report.image.version}` : ''}` : 'image';
  return `cloudlet-agent boot timeline: ${image}, ${report.state} in ${fmt(total)}`;
}

function subtitleOf(report: ReportDoc): string {
  const parts = [`${report.mode} mode`, `started ${report.startedAt}`];
  if (report.platform) parts.push(`platform ${report.platform}`);
  if (report.error) parts.push(`error ${report.error.code}`);
  return parts.join(' · ');
}

function fmt(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}

function fmtTick(t: number, step: number): string {
  if (step >= 1000) return `${+(t / 1000).toFixed(2)} s`;
  return `${+t.toFixed(Math.max(0, -Math.floor(Math.log10(step))))} ms`;
}


function r(n: number): number {
  return Math.round(n * 10) / 10;
}
