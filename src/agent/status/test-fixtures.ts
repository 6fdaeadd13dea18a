// A fake System for status tests: a temp run directory, a clock the test moves, captured console output.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { System } from '../../system/system';

export interface FakeSystem extends System {
  /** moves the monotonic and wall clocks forward */
  advance(ms: number): void;
  readonly outLines: string[];
  readonly errLines: string[];
  /** resolves once `line` has been printed to stderr (at once if it already was) */
  errLine(line: string): Promise<void>;
  cleanup(): void;
}

export function fakeSystem(overrides: { run?: string; dev?: string; isPid1?: boolean } = {}): FakeSystem {
  const base = mkdtempSync(join(tmpdir(), 'cloudlet-status-'));
  let mono = 1_000_000;
  let wall = Date.parse('2025-01-02T03:04:05.000Z');
  const outLines: string[] = [];
  const errLines: string[] = [];
  const awaited = new Map<string, () => void>();
  return {
    hostPaths: { proc: join(base, 'proc'), sys: join(base, 'sys'), dev: overrides.dev ?? join(base, 'dev'), run: overrides.run ?? join(base, 'run') },
    exec: () => Promise.reject(new Error('exec is not part of status tests')),
    http: () => Promise.reject(new Error('http is not part of status tests')),
    monotonicMs: () => mono,
    now: () => new Date(wall),
    env: {},
    out: (text) => void outLines.push(text),
    err(text) {
      errLines.push(text);
      awaited.get(text)?.();
    },
    isPid1: overrides.isPid1 ?? false,
    advance(ms) {
      mono += ms;
      wall += ms;
    },
    outLines,
    errLines,
    errLine: (line) => (errLines.includes(line) ? Promise.resolve() : new Promise((resolve) => void awaited.set(line, resolve))),
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
