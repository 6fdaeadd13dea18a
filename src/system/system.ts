// The one door to the outside world: every effect of the agent goes through an injected System.

import { AgentError } from '../errors';

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** What the child reads on stdin; a stream is piped in (inputs too large to hold). */
  input?: string | Buffer | NodeJS.ReadableStream;
  /** Where the child's stdout goes instead of `ExecResult.stdout` (outputs too large to hold); back-pressure is kept. */
  stdout?: NodeJS.WritableStream;
  /** Aborting kills the child (a reader of its stdout that gave up). */
  signal?: AbortSignal;
  env?: Record<string, string>;
  cwd?: string;
}

export interface HttpRequest {
  method: 'GET' | 'PUT' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Whole-request deadline: connect, headers and body. */
  timeoutMs: number;
  /** Responses larger than this are refused while they stream in. */
  maxBytes: number;
}

/** What `http` rejects with when a response grows past `maxBytes`, so callers can tell it from other failures. */
export class ResponseTooLarge extends AgentError {}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Where the machine's pseudo filesystems are; tests point these at fixture trees. */
export interface HostPaths {
  proc: string;
  sys: string;
  dev: string;
  run: string;
}

export interface System {
  readonly hostPaths: HostPaths;
  /** Runs a program without a shell. Never throws for a non-zero exit; throws when it cannot start. */
  exec(file: string, args: string[], options?: ExecOptions): Promise<ExecResult>;
  /** One HTTP request with a hard deadline and a size cap (ResponseTooLarge beyond it). */
  http(request: HttpRequest): Promise<HttpResponse>;
  /** Monotonic milliseconds, for durations. */
  monotonicMs(): number;
  /** Wall clock, for timestamps in reports. */
  now(): Date;
  /** Environment of the agent process. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Console output: `out` is the command's result, `err` progress and diagnostics. */
  out(text: string): void;
  err(text: string): void;
  /** This process is PID 1. */
  readonly isPid1: boolean;
}
