// The real System: child processes, HTTP, clocks and consoles of this machine.

import { AgentError } from '../errors';
import { writeLine } from './stdio';
import { ResponseTooLarge, type ExecOptions, type ExecResult, type HostPaths, type HttpRequest, type HttpResponse, type System } from './system';

// node:child_process and node:http (with node:net) load on first use: `--version`, `status` and a boot
// from local platforms never need one or the other, and loading them costs milliseconds on every start.
const childProcess = () => require('node:child_process') as typeof import('node:child_process');
const nodeHttp = () => require('node:http') as typeof import('node:http');

export function realSystem(hostPaths: Partial<HostPaths> = {}): System {
  return {
    hostPaths: { proc: '/proc', sys: '/sys', dev: '/dev', run: '/run', ...hostPaths },
    exec,
    http,
    monotonicMs: () => performance.timeOrigin + performance.now(),
    now: () => new Date(),
    env: process.env,
    // Lines written to a pipe may wait in this process until the reader makes room: the entry
    // point flushes them (flushStdio) before it exits or hands over.
    out: (text) => writeLine(process.stdout, text),
    err: (text) => writeLine(process.stderr, text),
    isPid1: process.pid === 1,
  };
}

function exec(file: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      cwd: options.cwd,
      timeout: options.timeoutMs,
      killSignal: 'SIGKILL',
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    if (options.stdout) child.stdout.pipe(options.stdout);
    else child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) =>
      reject(new AgentError('E_EXEC', `cannot run ${file}: ${e.message}`, { where: file, fix: `check that ${file} is an executable for this machine`, cause: e })),
    );
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.on('error', () => {});
    const input = options.input ?? '';
    if (typeof input === 'string' || Buffer.isBuffer(input)) child.stdin.end(input);
    else input.pipe(child.stdin);
  });
}

function http(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    if (url.protocol !== 'http:') {
      reject(new AgentError('E_PLATFORM', `only http:// URLs are supported here, got ${url.protocol}`, { where: req.url }));
      return;
    }
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const r = nodeHttp().request(
      { method: req.method, hostname: url.hostname, port: url.port || 80, path: url.pathname + url.search, headers: req.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => {
          size += b.length;
          if (size > req.maxBytes) {
            r.destroy();
            finish(() => reject(new ResponseTooLarge('E_PLATFORM', `response from ${req.url} is larger than ${req.maxBytes} bytes`, { where: req.url })));
            return;
          }
          chunks.push(b);
        });
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
          finish(() => resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) }));
        });
        res.on('error', (e) => finish(() => reject(new AgentError('E_PLATFORM', `reading ${req.url} failed: ${e.message}`, { where: req.url, cause: e }))));
      },
    );
    const timer = setTimeout(() => {
      r.destroy();
      finish(() => reject(new AgentError('E_PLATFORM_TIMEOUT', `${req.method} ${req.url} did not finish within ${req.timeoutMs} ms`, { where: req.url })));
    }, req.timeoutMs);
    r.on('error', (e) => finish(() => reject(new AgentError('E_PLATFORM', `${req.method} ${req.url} failed: ${e.message}`, { where: req.url, cause: e }))));
    r.end(req.body);
  });
}
