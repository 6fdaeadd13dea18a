// Runs the built executable on one fuzz case and checks what must hold for any input: an answer, in time, never E_INTERNAL.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FuzzCase } from './cases';

export interface Failure {
  index: number;
  kind: string;
  command: string;
  reason: string;
  /** the start of what it printed */
  output: string;
}

export interface CommandOutcome {
  name: string;
  code: number | null;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Exit codes a command may end with on hostile input (design.md): 0, 1 failed, 2 invalid input, 3 unmet, 4 degraded. */
const EXIT_CODES: Record<string, readonly number[]> = { validate: [0, 2], render: [0, 1, 2], run: [0, 1, 2, 3, 4] };

/** Writes the case's files under a fresh directory, runs its commands one after another, and removes the files. */
export async function runCase(c: FuzzCase, agent: readonly string[], timeoutMs: number): Promise<{ failures: Failure[]; outcomes: CommandOutcome[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-fuzz-'));
  try {
    const root = join(dir, 'image');
    const files: Record<string, string | Buffer> = { ...c.files, '/.cloudlet/manifest': c.manifest, ...(c.baked ? { '/etc/cloudlet/user-data.json': c.userData } : {}) };
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const ud = join(dir, 'user-data.json');
    const cmdline = join(dir, 'cmdline');
    writeFileSync(ud, c.userData);
    writeFileSync(cmdline, `${c.cmdline}\n`);

    const commands: Array<{ name: string; argv: string[] }> = [];
    if (c.kind !== 'cmdline') {
      commands.push({ name: 'validate', argv: [...agent, 'validate', '--root', root, '--user-data', ud, '--json'] });
      commands.push({ name: 'render', argv: [...agent, 'render', '--root', root, '--user-data', ud, '--dry-run', '--json'] });
    }
    if (c.boot) {
      // /proc/cmdline is replaced in a private mount namespace, as the blackbox tests do.
      const script = 'mount --bind "$0" /proc/cmdline && exec "$@"';
      commands.push({ name: 'run', argv: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, cmdline, ...agent, 'run', '--root', root, '--run-dir', join(dir, 'run'), '--dry-run', '--json'] });
    }

    const failures: Failure[] = [];
    const outcomes: CommandOutcome[] = [];
    for (const { name, argv } of commands) {
      const r = await spawnBounded(argv, timeoutMs);
      outcomes.push({ name, code: r.code });
      const reason = judge(name, r, timeoutMs);
      if (reason) failures.push({ index: c.index, kind: c.kind, command: name, reason, output: `${r.stdout.slice(0, 600)}\n--- stderr ---\n${r.stderr.slice(-600)}` });
    }
    return { failures, outcomes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What is wrong with one run, or undefined when it answered as it must. */
function judge(name: string, r: Run, timeoutMs: number): string | undefined {
  if (r.timedOut) return `no exit within ${timeoutMs / 1000} s (killed)`;
  if (r.signal !== null) return `killed by ${r.signal}`;
  if (/E_INTERNAL/.test(r.stdout) || /E_INTERNAL/.test(r.stderr)) return 'E_INTERNAL';
  if (!(EXIT_CODES[name] ?? []).includes(r.code ?? -1)) return `exit code ${r.code}`;
  try {
    JSON.parse(r.stdout);
  } catch (err) {
    return `--json output is not JSON (${(err as Error).message.slice(0, 80)}; ${r.stdout.length} bytes)`;
  }
  return undefined;
}

/** Runs `argv` in its own process group, killed with all its children when it outlives `timeoutMs`. */
function spawnBounded(argv: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal: timedOut ? null : signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
  });
}
