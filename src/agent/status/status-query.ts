// Finds out how this boot's run went: live from the socket, else from status.json; waits only until a hard deadline.

import { existsSync, readFileSync } from 'node:fs';
import { isFinal, STATUS_VERSION, type LiveEvent, type StatusDoc } from './formats';
import { connectIpc } from './ipc-client';
import type { LiveClient, LiveClientOptions } from './live';
import type { StatusPaths } from './run-dir';

export type QueryOutcome =
  /** the run finished (done, degraded or error) */
  | { kind: 'final'; doc: StatusDoc; source: 'socket' | 'file' }
  /** still running and not waiting (or the deadline came first: see `timedOut`) */
  | { kind: 'running'; doc: StatusDoc; source: 'socket' | 'file'; timedOut: boolean }
  /** status.json says running, but its agent is gone and nobody serves the socket */
  | { kind: 'stale'; doc: StatusDoc }
  /** status.json is there but cannot be read as a status (cut short, another version), and no agent serves the socket */
  | { kind: 'unreadable'; reason: string; timedOut: boolean }
  /** no status at all: the agent has not started this boot (or the deadline came first) */
  | { kind: 'none'; timedOut: boolean };

export interface QueryOptions {
  paths: StatusPaths;
  wait: boolean;
  timeoutMs: number;
  /** live progress, while following a running agent */
  onEvent?: (event: LiveEvent) => void;
  pollMs?: number;
  connect?: (socketPath: string, options: LiveClientOptions) => Promise<LiveClient>;
}

/** Never returns later than timeoutMs after the call (plus the time to tear down), whatever the agent does. */
export async function queryStatus(options: QueryOptions): Promise<QueryOutcome> {
  const abort = new AbortController();
  let last: { doc: StatusDoc; source: 'socket' | 'file' } | { reason: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<QueryOutcome>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      if (!last) resolve({ kind: 'none', timedOut: true });
      else if ('reason' in last) resolve({ kind: 'unreadable', reason: last.reason, timedOut: true });
      else resolve({ kind: 'running', ...last, timedOut: true });
    }, options.timeoutMs);
  });
  const work = look(options, abort.signal, (seen) => (last = seen));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // Whatever is still connecting, following or sleeping stops here.
    abort.abort();
    work.catch(() => undefined);
  }
}

async function look(
  options: QueryOptions,
  signal: AbortSignal,
  seen: (s: { doc: StatusDoc; source: 'socket' | 'file' } | { reason: string }) => void,
): Promise<QueryOutcome> {
  const connect = options.connect ?? connectIpc;
  const pollMs = options.pollMs ?? 200;
  for (;;) {
    if (signal.aborted) return { kind: 'none', timedOut: true };
    // The file first: it is enough when the run has ended, and it is what a timeout reports if the socket hangs.
    const early = readStatusFile(options.paths.status);
    if (early?.doc && isFinal(early.doc.state)) return { kind: 'final', doc: early.doc, source: 'file' };
    if (early?.doc) seen({ doc: early.doc, source: 'file' });
    const live = existsSync(options.paths.socket) ? await follow(options, connect, signal, seen) : undefined;
    if (live?.kind === 'final') return live;
    if (live && !options.wait) return live;

    const file = readStatusFile(options.paths.status);
    if (file?.doc) {
      const doc = file.doc;
      if (isFinal(doc.state)) return { kind: 'final', doc, source: 'file' };
      if (!live && !agentAlive(doc.pid)) return { kind: 'stale', doc };
      seen({ doc, source: 'file' });
      if (!options.wait) return { kind: 'running', doc, source: 'file', timedOut: false };
    } else if (file) {
      // A run starting now rewrites it: worth waiting for, not worth reporting as "no status".
      if (!live) seen({ reason: file.reason });
      if (!options.wait) return { kind: 'unreadable', reason: file.reason, timedOut: false };
    } else if (!options.wait) {
      return { kind: 'none', timedOut: false };
    }
    await sleep(pollMs, signal);
  }
}

/** The socket's snapshot; when waiting, progress until the agent finishes or goes away. */
async function follow(
  options: QueryOptions,
  connect: NonNullable<QueryOptions['connect']>,
  signal: AbortSignal,
  seen: (s: { doc: StatusDoc; source: 'socket' }) => void,
): Promise<QueryOutcome | undefined> {
  let client: LiveClient | undefined;
  try {
    client = await connect(options.paths.socket, { signal });
    const c = client;
    // Listen before asking, so no event between the snapshot and the subscription is lost; hold them
    // until the snapshot is in, so a step that ended in between is shown once.
    let held: LiveEvent[] | undefined = [];
    const ended = new Promise<LiveEvent | undefined>((resolve) => {
      c.onEvent((event) => {
        if (held) held.push(event);
        else options.onEvent?.(event);
        if (event.event === 'finish') resolve(event);
      });
      c.onClose(() => resolve(undefined));
    });
    const doc = await c.snapshot();
    seen({ doc, source: 'socket' });
    if (isFinal(doc.state)) return { kind: 'final', doc, source: 'socket' };
    if (!options.wait) return { kind: 'running', doc, source: 'socket', timedOut: false };
    replay(doc, held, options.onEvent);
    held = undefined;
    const finish = await ended;
    // The agent writes status.json before it announces the end: the file has the whole story.
    const file = readStatusFile(options.paths.status)?.doc;
    if (file && isFinal(file.state)) return { kind: 'final', doc: file, source: 'file' };
    if (finish?.event === 'finish') {
      const { state, durationMs, error } = finish;
      return { kind: 'final', doc: { ...doc, state, durationMs, ...(error ? { error } : {}) }, source: 'socket' };
    }
    return { kind: 'running', doc, source: 'socket', timedOut: false };
  } catch {
    // Nobody answers (a stale socket file, an agent just exiting): status.json tells the rest.
    return undefined;
  } finally {
    client?.close();
  }
}

/**
 * Whoever follows a run that is under way sees the steps that already ended first, as the lines they
 * would have seen from the start, then the events that came in meanwhile (less those steps' ends).
 */
function replay(doc: StatusDoc, held: LiveEvent[], onEvent: ((event: LiveEvent) => void) | undefined): void {
  if (!onEvent) return;
  const shown = new Set<string>();
  for (const st of doc.steps) {
    if (st.outcome === undefined || st.summary === undefined || st.durationMs === undefined) continue;
    shown.add(st.name);
    onEvent({ event: 'step-end', step: st.name, outcome: st.outcome, summary: st.summary, startMs: 0, durationMs: st.durationMs });
  }
  for (const event of held) if (!(event.event === 'step-end' && shown.has(event.step))) onEvent(event);
}

/**
 * The status document; or why the file is not one (the agent replaces it whole, so a cut one was damaged
 * afterwards, and another version's is not ours to read); undefined when there is none.
 */
function readStatusFile(path: string): { doc: StatusDoc; reason?: undefined } | { doc?: undefined; reason: string } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : { reason: `it cannot be read (${code ?? (err as Error).message})` };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { reason: text.trim() === '' ? 'it is empty' : `it is not whole JSON (${(err as Error).message})` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { reason: 'it holds no status document' };
  const { version, state } = doc as Partial<StatusDoc>;
  if (version !== STATUS_VERSION) return { reason: `it is of version ${(JSON.stringify(version) ?? 'none').slice(0, 40)}; this agent reads version ${STATUS_VERSION}` };
  if (typeof state !== 'string') return { reason: 'it holds no state' };
  return { doc: doc as StatusDoc };
}

function agentAlive(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, it is just not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
