// The layout rules of docs/design.md, checked on every import of every source file.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = __dirname;
const SHARED = ['cli-kit', 'install', 'manifest', 'readers', 'secrets', 'system'];
/** The one import across the programs' folders (docs/design.md, "Host side"). */
const CROSSING = { from: 'cloudlet/cli/validate.ts', to: 'agent/image-check/check-image.ts' };
/** Where a process may be started or a socket opened: everything else goes through System. */
const EXEC_HOME = ['system/'];
const NETWORK_HOMES = ['system/real-system.ts', 'cloudlet/registry/transport.ts', 'agent/status/ipc-server.ts'];
const PLANNER = /(^|\/)(plan|[a-z-]+-plan|plan-[a-z-]+)\.ts$/;

interface Import {
  file: string;
  spec: string;
  /** the imported file relative to src/, for relative specifiers */
  target?: string;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sources(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(path: string): Import[] {
  const text = readFileSync(path, 'utf8');
  const file = relative(SRC, path);
  const found: Import[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
    const spec = (m[1] ?? m[2]) as string;
    const target = spec.startsWith('.') ? relative(SRC, resolve(dirname(path), spec)).replace(/\.js$/, '') + '.ts' : undefined;
    found.push({ file, spec, ...(target ? { target } : {}) });
  }
  return found;
}

const IMPORTS = sources(SRC).flatMap(importsOf);
const area = (path: string): string => path.split('/')[0] as string;

describe('the source layout (docs/design.md)', () => {
  it('finds the imports it checks', () => {
    expect(IMPORTS.filter((i) => i.file.startsWith('agent/')).length).toBeGreaterThan(100);
    expect(IMPORTS.filter((i) => i.file.startsWith('cloudlet/')).length).toBeGreaterThan(100);
  });

  it('neither program imports the other, but for the one crossing the design names', () => {
    const crossings = IMPORTS.filter((i) => i.target && ['agent', 'cloudlet'].includes(area(i.file)) && ['agent', 'cloudlet'].includes(area(i.target)) && area(i.file) !== area(i.target));
    expect(crossings.map((i) => `${i.file} -> ${i.target}`)).toEqual([`${CROSSING.from} -> ${CROSSING.to}`]);
  });

  it('the shared folders import neither program', () => {
    const bad = IMPORTS.filter((i) => i.target && SHARED.includes(area(i.file)) && ['agent', 'cloudlet'].includes(area(i.target)));
    expect(bad.map((i) => `${i.file} -> ${i.target}`)).toEqual([]);
  });

  it('processes are started only through System', () => {
    const bad = IMPORTS.filter((i) => i.spec === 'node:child_process' && !EXEC_HOME.some((home) => i.file.startsWith(home)));
    expect(bad.map((i) => i.file)).toEqual([]);
  });

  it('sockets are opened only by System, the registry transport and the status server', () => {
    const bad = IMPORTS.filter((i) => /^node:(http|https|net|tls|dgram)$/.test(i.spec) && !NETWORK_HOMES.includes(i.file));
    expect(bad.map((i) => `${i.file}: ${i.spec}`)).toEqual([]);
  });

  it('planners do no I/O of their own', () => {
    const planners = [...new Set(IMPORTS.map((i) => i.file))].filter((f) => PLANNER.test(f));
    expect(planners.length).toBeGreaterThan(5);
    const bad = IMPORTS.filter((i) => PLANNER.test(i.file) && /^node:(fs|fs\/promises|child_process|http|https|net)$/.test(i.spec));
    expect(bad.map((i) => `${i.file}: ${i.spec}`)).toEqual([]);
  });
});
