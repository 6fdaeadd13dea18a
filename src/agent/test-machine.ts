// Shared by step tests: a fixture machine (a real System over temp /proc, /sys, /dev, /run), a manifest, a recording reporter, a run context.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { NormalizedManifest } from '../manifest/types';
import type { RunContext, RunOptions } from './step';
import { realSystem } from '../system/real-system';
import type { ItemEvent, Reporter, RunInfo } from './status/reporter';
import type { System } from '../system/system';

export interface Machine {
  base: string;
  root: string;
  system: System;
  /** writes a file below the machine's base (e.g. "sys/firmware/...") */
  put(path: string, content: string | Buffer): void;
  cleanup(): void;
}

export function machine(): Machine {
  const base = mkdtempSync(join(tmpdir(), 'cloudlet-ds-'));
  const root = join(base, 'root');
  for (const d of ['proc', 'sys', 'dev', 'run', 'root']) mkdirSync(join(base, d));
  const system = realSystem({ proc: join(base, 'proc'), sys: join(base, 'sys'), dev: join(base, 'dev'), run: join(base, 'run') });
  return {
    base,
    root,
    system: { ...system, out: () => {}, err: () => {} },
    put(path, content) {
      mkdirSync(dirname(join(base, path)), { recursive: true });
      writeFileSync(join(base, path), content);
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}

export function manifestWith(platforms: string[], extra: Partial<NormalizedManifest> = {}): NormalizedManifest {
  return {
    cloudlet: '0.0.4',
    name: 'test',
    platforms,
    config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' }, pw: { type: 'string', writeOnly: true } } } },
    templates: [],
    persistent: [],
    volatile: [],
    entrypoints: { init: {} },
    hash: '0'.repeat(64),
    ...extra,
  };
}

export interface RecordingReporter extends Reporter {
  items: ItemEvent[];
  infos: RunInfo[];
}

export function recordingReporter(): RecordingReporter {
  const items: ItemEvent[] = [];
  const infos: RunInfo[] = [];
  return {
    items,
    infos,
    begin: async () => {},
    stepStart: () => {},
    stepEnd: () => {},
    item: (_step, event) => void items.push(event),
    info: (info) => void infos.push(info),
    finish: async () => {},
  };
}

export function runContext(m: Machine, manifest: NormalizedManifest, options: Partial<RunOptions> = {}): RunContext & { reporter: RecordingReporter } {
  return {
    system: m.system,
    options: { root: m.root, mode: 'run', entrypoint: 'init', dryRun: false, ...options },
    reporter: recordingReporter(),
    state: { manifest },
  };
}
