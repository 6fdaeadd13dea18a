// Runs the built executable against throwaway image roots, as root inside a private mount namespace.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');

/** The executable under test: dist/cloudlet-agent, or CLOUDLET_AGENT_BIN (e.g. "node dist/cloudlet-agent.cjs"). */
export function agentCommand(): string[] {
  const override = process.env.CLOUDLET_AGENT_BIN;
  if (override) return override.split(' ');
  const bin = join(REPO, 'dist', 'cloudlet-agent');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run "npm run build" first`);
  return [bin];
}

/** The host program under test: dist/cloudlet, or CLOUDLET_BIN (e.g. "node dist/cloudlet.cjs"). */
export function cloudletCommand(): string[] {
  const override = process.env.CLOUDLET_BIN;
  if (override) return override.split(' ');
  const bin = join(REPO, 'dist', 'cloudlet');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run "npm run build" first`);
  return [bin];
}

/** A file tree: path -> content (string), or { content, mode }, or { symlink: target }, or { dir: true }. */
export type TreeEntry = string | { content: string; mode?: number } | { symlink: string } | { dir: true; mode?: number };
export type Tree = Record<string, TreeEntry>;

export function writeTree(root: string, tree: Tree): void {
  for (const [path, entry] of Object.entries(tree)) {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    if (typeof entry === 'string') writeFileSync(host, entry);
    else if ('symlink' in entry) symlinkSync(entry.symlink, host);
    else if ('dir' in entry) {
      mkdirSync(host, { recursive: true });
      if (entry.mode !== undefined) chmodSync(host, entry.mode);
    } else {
      writeFileSync(host, entry.content);
      if (entry.mode !== undefined) chmodSync(host, entry.mode);
    }
  }
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix = 'cloudlet-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** An image root with a manifest and the given files. */
export function makeImage(manifest: unknown, tree: Tree = {}): { root: string; cleanup: () => void } {
  const { dir, cleanup } = tempDir('cloudlet-image-');
  writeTree(dir, { '/.cloudlet/manifest': typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2), ...tree });
  return { root: dir, cleanup };
}

export interface AgentRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** run inside `unshare -m --propagation private` so mounts vanish with the process (default true) */
  namespace?: boolean;
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
}

/** Runs the agent with `args`; inside a private mount namespace unless told otherwise. */
export function runAgent(args: string[], options: RunOptions = {}): AgentRun {
  const cmd = agentCommand();
  return runCommand(options.namespace === false ? cmd : ['unshare', '-m', '--propagation', 'private', ...cmd], args, options);
}

/** Runs the host program with `args` (it mounts nothing: no namespace). */
export function runCloudlet(args: string[], options: Omit<RunOptions, 'namespace'> = {}): AgentRun {
  return runCommand(cloudletCommand(), args, options);
}

function runCommand(full: string[], args: string[], options: RunOptions): AgentRun {
  const r = spawnSync(full[0] as string, [...full.slice(1), ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a shell script inside one private mount namespace (for tests that mount, then run the agent, then look). */
export function runInNamespace(script: string, options: RunOptions = {}): AgentRun {
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c', script], {
    encoding: 'utf8',
    env: { ...process.env, AGENT: agentCommand().join(' '), ...options.env },
    input: options.input ?? '',
    timeout: options.timeoutMs ?? 120_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
