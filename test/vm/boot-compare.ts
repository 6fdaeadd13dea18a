// Boot-time comparison in a Debian VM under TCG: no agent, agent .debs, optionally cloud-init, in interleaved rounds; medians.

import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { block, bootVm, markers, type VmResult } from './qemu';
import { VM_CACHE } from './paths';
import { debianLayer, type DebianImage } from './setup-run';

// What bench/boot-compare.mjs needs besides the comparison itself.
export { VM_CACHE } from './paths';
export { requireQemu } from './qemu';
export { agentDeb } from './setup-run';

export interface Variant {
  name: string;
  /** what boots: no agent, the agent's .deb (its initramfs hook runs it), or cloud-init with a baked NoCloud seed */
  kind: 'baseline' | 'agent' | 'cloud-init';
  deb?: string;
}

export interface BootSample {
  variant: string;
  round: number;
  /** QEMU start to the report unit's first line (after multi-user) */
  wallMs?: number;
  multiUserMs?: number;
  /** kernel start to systemd's start: the kernel and the initramfs */
  userspaceMs?: number;
  /** the agent's own run (status.json durationMs) */
  agentRunMs?: number;
  /** kernel timestamps (ms): the root mounted, the agent's first and last console line, systemd's start */
  kmsg: Record<string, number>;
  log: string;
  failed?: string;
}

/** The manifest the comparison boots: two templates, a tmpfs /tmp and baked user data, as in the measurement. */
export const COMPARE_MANIFEST = {
  cloudlet: '0.0.4',
  name: 'boot-compare',
  version: '1.0.0',
  platforms: ['file'],
  config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } } },
  templates: ['/etc/app/app.conf', '/etc/app/motd'],
  volatile: [{ path: '/tmp', size: '64M' }],
  onError: 'continue',
  entrypoints: { init: { path: '/sbin/init', requires: { os: 'linux', arch: ['x86_64'] } } },
};

function put(tree: string, path: string, content: string, mode = 0o644): void {
  const host = join(tree, path);
  mkdirSync(dirname(host), { recursive: true });
  writeFileSync(host, content);
  chmodSync(host, mode);
}

/** cloud-init's equivalent of the agent's manifest and baked user data: the same two files and tmpfs /tmp. */
const CLOUD_CONFIG = `#cloud-config
write_files:
  - path: /etc/app/app.conf
    content: |
      greeting=from baked user data
      platform=nocloud
  - path: /etc/app/motd
    content: |
      Welcome to boot-compare: from baked user data
mounts:
  - [tmpfs, /tmp, tmpfs, "size=64M", "0", "0"]
`;

/** The files a variant's image gets over its base: the report unit, and what the agent or cloud-init reads. */
export function writeCompareTree(tree: string, kind: Variant['kind']): void {
  rmSync(tree, { recursive: true, force: true });
  put(tree, '/usr/local/sbin/boot-compare-report', readFileSync(join(__dirname, 'guest', 'boot-compare-report.sh'), 'utf8'), 0o755);
  put(tree, '/etc/systemd/system/boot-compare.service', readFileSync(join(__dirname, 'guest', 'boot-compare.service'), 'utf8'));
  mkdirSync(join(tree, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
  symlinkSync('../boot-compare.service', join(tree, 'etc/systemd/system/multi-user.target.wants/boot-compare.service'));
  if (kind === 'agent') {
    put(tree, '/.cloudlet/manifest', JSON.stringify(COMPARE_MANIFEST, null, 2));
    put(tree, '/etc/app/app.conf', 'greeting=<%= config.greeting %>\nplatform=<%= env.platform %>\n');
    put(tree, '/etc/app/motd', 'Welcome to boot-compare: <%= config.greeting %>\n');
    put(tree, '/etc/cloudlet/user-data.json', JSON.stringify({ config: { greeting: 'from baked user data' } }));
  }
  if (kind === 'cloud-init') {
    put(tree, '/var/lib/cloud/seed/nocloud/user-data', CLOUD_CONFIG);
    put(tree, '/var/lib/cloud/seed/nocloud/meta-data', 'instance-id: iid-boot-compare\nlocal-hostname: boot-compare\n');
  }
}

/** Builds one image per variant under VM_CACHE/boot-compare/<name>. */
export function buildImages(variants: Variant[]): Map<string, DebianImage> {
  const images = new Map<string, DebianImage>();
  for (const v of variants) {
    const out = join(VM_CACHE, 'boot-compare', v.name);
    const tree = join(out, 'tree');
    writeCompareTree(tree, v.kind);
    const base = v.kind === 'cloud-init' ? 'cloud-init' : 'initramfs-tools';
    images.set(v.name, debianLayer(out, { base, tree, ...(v.deb ? { deb: v.deb } : {}) }));
  }
  return images;
}

const ms = (us: string | undefined): number | undefined => (us && /^\d+$/.test(us) && us !== '0' ? Math.round(Number(us) / 1000) : undefined);

/** The kernel timestamps (ms) of the lines the report picked out of dmesg. */
export function kmsgTimes(consoleText: string): Record<string, number> {
  const out: Record<string, number> = {};
  const agentLines: number[] = [];
  for (const line of markers(consoleText, 'BOOTCMP kmsg:')) {
    const m = /^\[\s*(\d+\.\d+)\]\s*(.*)$/.exec(line);
    if (!m) continue;
    const t = Math.round(Number(m[1]) * 1000);
    const text = m[2] ?? '';
    if (/EXT4-fs \(vda\): mounted/.test(text) && out.rootMounted === undefined) out.rootMounted = t;
    // The agent's console lines (--kmsg); not the hostname line, which names the image.
    if (text.startsWith('cloudlet-agent:')) agentLines.push(t);
    if (/systemd\[1\]: systemd \d/.test(text) && out.systemdStart === undefined) out.systemdStart = t;
  }
  if (agentLines.length > 0) {
    out.agentFirstLine = Math.min(...agentLines);
    out.agentLastLine = Math.max(...agentLines);
  }
  return out;
}

export function sampleOf(variant: string, round: number, r: VmResult): BootSample {
  const one = (key: string) => markers(r.console, `BOOTCMP ${key}`)[0];
  const status = block(r.console, 'BOOTCMP-STATUS');
  let agentRunMs: number | undefined;
  if (status) {
    try {
      agentRunMs = (JSON.parse(status) as { durationMs?: number }).durationMs;
    } catch {
      agentRunMs = undefined;
    }
  }
  const sample: BootSample = { variant, round, kmsg: kmsgTimes(r.console), log: r.logFile };
  if (r.stopMatchedMs !== undefined) sample.wallMs = r.stopMatchedMs;
  const multiUserMs = ms(one('multi-user-us'));
  if (multiUserMs !== undefined) sample.multiUserMs = multiUserMs;
  const userspaceMs = ms(one('userspace-us'));
  if (userspaceMs !== undefined) sample.userspaceMs = userspaceMs;
  if (agentRunMs !== undefined) sample.agentRunMs = agentRunMs;
  if (sample.wallMs === undefined) sample.failed = r.timedOut ? 'timed out before multi-user' : `no report line (QEMU exit ${r.code})`;
  return sample;
}

/** One boot of an image: the root written to a throw-away overlay, so every round is the same first boot. */
export async function bootOnce(name: string, image: DebianImage, timeoutMs: number): Promise<VmResult> {
  return bootVm({
    name,
    kernel: image.vmlinuz,
    initrd: image.initrd,
    append: 'root=/dev/vda ro console=ttyS0 panic=-1 quiet',
    drives: [{ file: image.rootImg, snapshot: true }],
    timeoutMs,
    stopWhen: /BOOTCMP reached/,
    // The guest prints its figures and powers off by itself; the kill after this is only a backstop.
    stopGraceMs: 90_000,
  });
}

export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Rounds of one boot per variant, the order rotated each round so load on the machine falls on every variant alike. */
export async function compare(variants: Variant[], images: Map<string, DebianImage>, rounds: number, timeoutMs: number, onSample: (s: BootSample) => void): Promise<BootSample[]> {
  const samples: BootSample[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = variants.map((_, i) => variants[(i + round) % variants.length] as Variant);
    for (const v of order) {
      const r = await bootOnce(`boot-compare-${v.name}-${round}`, images.get(v.name) as DebianImage, timeoutMs);
      const s = sampleOf(v.name, round, r);
      samples.push(s);
      onSample(s);
    }
  }
  return samples;
}

export interface Summary {
  variant: string;
  boots: number;
  failed: number;
  wallMs?: number;
  multiUserMs?: number;
  userspaceMs?: number;
  agentRunMs?: number;
  /** median over boots of (agent's first kernel line - root mounted): starting the agent from the disk */
  agentStartMs?: number;
  /** median over boots of (systemd's start - agent's last line): unbinding, the rest of the initramfs */
  afterAgentMs?: number;
  /** median over boots of (systemd's start - root mounted): the initramfs after the root is mounted, the hook's part of it */
  rootToSystemdMs?: number;
  /** wallMs minus the baseline's */
  addedMs?: number;
}

export function summarize(variants: Variant[], samples: BootSample[]): Summary[] {
  const pick = (list: BootSample[], f: (s: BootSample) => number | undefined) => median(list.map(f).filter((x): x is number => x !== undefined));
  const rows = variants.map((v) => {
    const mine = samples.filter((s) => s.variant === v.name);
    const ok = mine.filter((s) => !s.failed);
    const row: Summary = { variant: v.name, boots: mine.length, failed: mine.length - ok.length };
    const set = <K extends keyof Summary>(k: K, x: Summary[K] | undefined) => {
      if (x !== undefined) row[k] = x;
    };
    set('wallMs', pick(ok, (s) => s.wallMs));
    set('multiUserMs', pick(ok, (s) => s.multiUserMs));
    set('userspaceMs', pick(ok, (s) => s.userspaceMs));
    set('agentRunMs', pick(ok, (s) => s.agentRunMs));
    set('agentStartMs', pick(ok, (s) => (s.kmsg.agentFirstLine !== undefined && s.kmsg.rootMounted !== undefined ? s.kmsg.agentFirstLine - s.kmsg.rootMounted : undefined)));
    set('afterAgentMs', pick(ok, (s) => (s.kmsg.systemdStart !== undefined && s.kmsg.agentLastLine !== undefined ? s.kmsg.systemdStart - s.kmsg.agentLastLine : undefined)));
    set('rootToSystemdMs', pick(ok, (s) => (s.kmsg.systemdStart !== undefined && s.kmsg.rootMounted !== undefined ? s.kmsg.systemdStart - s.kmsg.rootMounted : undefined)));
    return row;
  });
  const base = rows.find((r) => variants.find((v) => v.name === r.variant)?.kind === 'baseline');
  for (const r of rows) if (base?.wallMs !== undefined && r.wallMs !== undefined && r !== base) r.addedMs = r.wallMs - base.wallMs;
  return rows;
}

export function summaryText(rows: Summary[], rounds: number): string {
  const f = (x: number | undefined) => (x === undefined ? '-' : `${(x / 1000).toFixed(2)} s`);
  const g = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x)} ms`);
  const table = [
    ['variant', 'boots', 'failed', 'QEMU->after multi-user', 'added', 'kernel->multi-user', 'kernel->systemd', 'root mounted->systemd', 'agent run', 'root mounted->agent line', 'agent->systemd'],
    ...rows.map((r) => [r.variant, String(r.boots), String(r.failed), f(r.wallMs), f(r.addedMs), f(r.multiUserMs), f(r.userspaceMs), f(r.rootToSystemdMs), g(r.agentRunMs), g(r.agentStartMs), g(r.afterAgentMs)]),
  ];
  const widths = (table[0] as string[]).map((_, c) => Math.max(...table.map((row) => (row[c] as string).length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c] as number)).join('  ').trimEnd());
  return [`${rounds} interleaved rounds, medians (TCG, 1 vCPU, first boot of each image from a throw-away overlay)`, '', ...lines, ''].join('\n');
}
