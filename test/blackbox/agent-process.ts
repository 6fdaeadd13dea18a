// Starts the built executable without waiting for it: its end as a promise, its output read eagerly or as a slow pipe reader would.

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { agentCommand, tempDir, type AgentRun } from './harness';

export interface StartOptions {
  /** stdout (stderr) is a real pipe, read only when the agent has exited or sits waiting for the reader */
  slowStdout?: boolean;
  slowStderr?: boolean;
}

export interface StartedAgent {
  /** the exit code and everything the agent wrote, once both outputs are closed */
  done: Promise<AgentRun>;
  /** resolves once stderr matches `pattern`; rejects when the agent ends without it (not with slowStderr) */
  stderrMatches(pattern: RegExp): Promise<void>;
}

/** Runs the agent with `args` outside any mount namespace (these tests mount nothing). */
export function startAgent(args: string[], options: StartOptions = {}): StartedAgent {
  const [cmd, ...pre] = agentCommand();
  const slowOut = options.slowStdout ? slowPipe(1) : undefined;
  const slowErr = options.slowStderr ? slowPipe(2) : undefined;
  const child = spawn(cmd as string, [...pre, ...args], { stdio: ['ignore', slowOut?.writeFd ?? 'pipe', slowErr?.writeFd ?? 'pipe'] });
  // The agent holds the write ends now; the reader sees the end of the output when the agent is gone.
  for (const p of [slowOut, slowErr]) if (p) closeSync(p.writeFd);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  let stderrSoFar = '';
  const stderrWatchers: Array<() => void> = [];
  child.stderr?.on('data', (b: Buffer) => {
    stderrSoFar += b.toString('utf8');
    for (const w of stderrWatchers) w();
  });
  const stdout = slowOut ? slowOut.read(child.pid, exited) : readAll(child.stdout as Readable);
  const stderr = slowErr ? slowErr.read(child.pid, exited) : readAll(child.stderr as Readable);
  const done = Promise.all([exited, stdout, stderr]).then(([code, out, err]) => ({ code, stdout: out, stderr: err }));
  return {
    done,
    stderrMatches(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stderrSoFar)) resolve();
        };
        stderrWatchers.push(check);
        check();
        done.then(
          () => reject(new Error(`the agent (${args.join(' ')}) ended without printing ${pattern} on stderr:\n${stderrSoFar}`)),
          reject,
        );
      });
    },
  };
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/**
 * A named pipe, as a shell's `|` gives (64 KiB in the kernel, nothing buffered on the reading side),
 * and a reader slower than the writer: it reads only when the agent has exited, or when the agent
 * sits idle waiting for the reader to make room (every thread asleep, the pipe full: its descriptor
 * watched for writability). A writer that exits without waiting for its output to drain loses
 * whatever the pipe could not take.
 */
function slowPipe(agentFd: 1 | 2): { writeFd: number; read(pid: number | undefined, exited: Promise<unknown>): Promise<string> } {
  const { dir, cleanup } = tempDir('cloudlet-pipe-');
  const fifo = join(dir, 'fifo');
  const made = spawnSync('mkfifo', [fifo]);
  if (made.status !== 0) throw new Error(`mkfifo ${fifo} failed: ${made.stderr}`);
  // Opening the read end first, without blocking, lets the write end open at once.
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(fifo, constants.O_WRONLY);
  const chunks: Buffer[] = [];
  /** Takes what the pipe holds: 'eof' once every writer has closed it. */
  const drain = (): 'eof' | 'empty' => {
    const buf = Buffer.alloc(65536);
    for (;;) {
      let n: number;
      try {
        n = readSync(readFd, buf, 0, buf.length, null);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') return 'empty';
        throw err;
      }
      if (n === 0) return 'eof';
      chunks.push(Buffer.from(buf.subarray(0, n)));
    }
  };
  return {
    writeFd,
    read(pid, exited) {
      let gone = false;
      void exited.then(() => (gone = true), () => (gone = true));
      return new Promise<string>((resolve, reject) => {
        const tick = () => {
          try {
            if (gone && drain() === 'eof') {
              closeSync(readFd);
              cleanup();
              resolve(Buffer.concat(chunks).toString('utf8'));
              return;
            }
            if (!gone && pid !== undefined && waitingForReader(pid, agentFd)) drain();
          } catch (err) {
            reject(err as Error);
            return;
          }
          setTimeout(tick, 10);
        };
        tick();
      });
    },
  };
}

/** `pid` does nothing but wait for its descriptor `fd` to become writable. */
function waitingForReader(pid: number, fd: number): boolean {
  try {
    return asleep(pid) && watchedForWriting(pid, fd);
  } catch {
    return false;
  }
}

/** Every thread of `pid` is sleeping (state S): nothing runs, each waits for an event. */
function asleep(pid: number): boolean {
  const tasks = readdirSync(`/proc/${pid}/task`);
  return tasks.length > 0 && tasks.every((tid) => stateOf(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')) === 'S');
}

/** The state letter of a /proc stat line: the first field after the command name in parentheses. */
function stateOf(stat: string): string | undefined {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
}

const EPOLLOUT = 0x4;

/** One of `pid`'s epoll instances waits for `fd` to become writable: a write to it is pending. */
function watchedForWriting(pid: number, fd: number): boolean {
  for (const entry of readdirSync(`/proc/${pid}/fd`)) {
    if (readlinkSync(`/proc/${pid}/fd/${entry}`) !== 'anon_inode:[eventpoll]') continue;
    for (const m of readFileSync(`/proc/${pid}/fdinfo/${entry}`, 'utf8').matchAll(/^tfd:\s*(\d+)\s+events:\s*([0-9a-f]+)/gm)) {
      if (Number(m[1]) === fd && (parseInt(m[2] as string, 16) & EPOLLOUT) !== 0) return true;
    }
  }
  return false;
}
