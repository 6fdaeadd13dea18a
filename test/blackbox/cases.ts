// Blackbox cases as data: an image tree and user data in; exit code, output fragments and the tree after, out.

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeImage, runAgent, tempDir, type Tree } from './harness';

/** What one path of the image must be after the run; a string is the whole content of a file. */
export type Expected = string | { content?: string; mode?: number; uid?: number; gid?: number; entries?: string[] };

export interface Case {
  name: string;
  manifest: unknown;
  tree: Tree;
  /** the command and its options; `--root` (and `--user-data`, when given) are added */
  args: string[];
  /** written to a file the run reads with `--user-data` */
  userData?: unknown;
  code: number;
  stdout?: string[];
  stderr?: string[];
  /** stdout parsed as JSON matches this (toMatchObject) */
  json?: unknown;
  /** never printed, on stdout or on stderr: secrets, and what a refused file holds */
  hidden?: string[];
  /** `unchanged`: no path, mode, owner or byte below the root differs from before the run */
  after?: 'unchanged' | Record<string, Expected>;
}

/** sha256 over every path, mode, owner and content below root: proves a run changed nothing. */
export function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${p} ${st.mode} ${st.uid}:${st.gid} ${st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : ''}\n`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return h.digest('hex');
}

/** One test a case, each in its own temp image; call at the top of a describe block. */
export function runCases(cases: Case[]): void {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    while (cleanups.length) cleanups.pop()?.();
  });
  for (const c of cases) {
    it(c.name, () => {
      const { root, cleanup } = makeImage(c.manifest, c.tree);
      cleanups.push(cleanup);
      const args = [...c.args, '--root', root];
      if (c.userData !== undefined) {
        const { dir, cleanup: done } = tempDir('cloudlet-ud-');
        cleanups.push(done);
        writeFileSync(join(dir, 'user-data.json'), JSON.stringify(c.userData));
        args.push('--user-data', join(dir, 'user-data.json'));
      }
      const before = treeHash(root);
      const r = runAgent(args);
      for (const secret of c.hidden ?? []) expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.code, r.stderr).toBe(c.code);
      for (const fragment of c.stdout ?? []) expect(r.stdout).toContain(fragment);
      for (const fragment of c.stderr ?? []) expect(r.stderr).toContain(fragment);
      if (c.json !== undefined) expect(JSON.parse(r.stdout)).toMatchObject(c.json as object);
      if (c.after === 'unchanged') expect(treeHash(root)).toBe(before);
      else for (const [path, want] of Object.entries(c.after ?? {})) expectPath(root, path, want);
    });
  }
}

function expectPath(root: string, path: string, want: Expected): void {
  const full = join(root, path);
  const w = typeof want === 'string' ? { content: want } : want;
  if (w.content !== undefined) expect(readFileSync(full, 'utf8'), path).toBe(w.content);
  if (w.entries !== undefined) expect(readdirSync(full).sort(), path).toEqual([...w.entries].sort());
  const st = statSync(full);
  if (w.mode !== undefined) expect(st.mode & 0o7777, `mode of ${path}`).toBe(w.mode);
  if (w.uid !== undefined) expect(st.uid, `owner of ${path}`).toBe(w.uid);
  if (w.gid !== undefined) expect(st.gid, `group of ${path}`).toBe(w.gid);
}
