// For the registry tests: Debian's docker-registry on 127.0.0.1, a fault-injecting loopback proxy in front of it, cloudlet run without blocking.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { cloudletCommand } from './harness';

export interface Registry {
  port: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `docker-registry serve` with its storage under `dir`; resolves once it says it listens. */
export async function startRegistry(dir: string): Promise<Registry> {
  const port = await freePort();
  const config = join(dir, 'registry.yml');
  writeFileSync(config, ['version: 0.1', 'log:', '  level: info', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'));
  const child: ChildProcess = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const seen = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('listening on')) resolve();
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', seen);
    child.on('exit', (code) => reject(new Error(`docker-registry exited (${code}) before listening:\n${log}`)));
  });
  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export type FaultKind = 'status' | 'hang' | 'garbage' | 'corrupt' | 'cut' | 'redirect' | 'nomount';

export interface Fault {
  method: string;
  path: RegExp;
  kind: FaultKind;
  /** how many matching requests it applies to */
  times: number;
  status?: number;
}

export interface Seen {
  method: string;
  path: string;
  status: number;
  /** request body bytes forwarded */
  sent: number;
  /** the request's Range header, when it had one */
  range?: string;
}

/** A loopback HTTP proxy in front of the registry: records every request, enforces Basic auth when asked, injects faults. */
export class FaultProxy {
  readonly seen: Seen[] = [];
  faults: Fault[] = [];
  basic: { user: string; pass: string } | undefined;
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly upstream: number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  reset(): void {
    this.seen.length = 0;
    this.faults = [];
    this.basic = undefined;
  }

  /** Bytes of blob uploads (PATCH and PUT bodies under /blobs/uploads/) seen since the last reset. */
  uploadedBytes(): number {
    return this.seen.filter((s) => /\/blobs\/uploads\//.test(s.path) && (s.method === 'PATCH' || s.method === 'PUT')).reduce((n, s) => n + s.sent, 0);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const record: Seen = { method: req.method ?? '', path, status: 0, sent: 0, ...(req.headers.range ? { range: req.headers.range } : {}) };
    this.seen.push(record);
    const reply = (status: number, body: string, headers: Record<string, string> = {}) => {
      record.status = status;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    };
    if (this.basic) {
      const want = `Basic ${Buffer.from(`${this.basic.user}:${this.basic.pass}`).toString('base64')}`;
      if (req.headers.authorization !== want) return reply(401, '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', { 'www-authenticate': 'Basic realm="registry test"' });
    }
    // Requests a redirect sent to /_storage/ stand for the storage behind the registry: no faults there.
    const fault = path.startsWith('/_storage/') ? undefined : this.faults.find((f) => f.times > 0 && f.method === req.method && f.path.test(path));
    if (fault) fault.times--;
    if (fault?.kind === 'status') return reply(fault.status ?? 500, '{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}');
    if (fault?.kind === 'hang') return void req.resume();
    if (fault?.kind === 'garbage') return reply(200, 'this is {not json', { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
    if (fault?.kind === 'redirect') return reply(307, '', { location: `/_storage${path}` });
    // nomount: the registry sees a plain upload request, so it answers a mount with 202 and an upload session.
    const upstreamPath = path.startsWith('/_storage/') ? path.slice('/_storage'.length) : fault?.kind === 'nomount' ? path.replace(/\?.*$/, '') : path;
    const up = request({ host: '127.0.0.1', port: this.upstream, method: req.method, path: upstreamPath, headers: req.headers }, (ures) => {
      record.status = ures.statusCode ?? 0;
      res.writeHead(ures.statusCode ?? 502, ures.headers);
      if (fault?.kind === 'cut') {
        const half = Math.floor(Number(ures.headers['content-length'] ?? 0) / 2);
        let passed = 0;
        ures.on('data', (chunk: Buffer) => {
          if (passed >= half) return;
          const take = chunk.subarray(0, Math.max(0, half - passed));
          passed += chunk.length;
          if (passed < half) {
            if (take.length) res.write(take);
            return;
          }
          // The half reaches the client, then the connection ends (FIN, not a reset that could drop what it has not read).
          ures.destroy();
          res.write(take, () => res.socket?.end());
        });
        return;
      }
      if (fault?.kind === 'corrupt') {
        let first = true;
        ures.on('data', (chunk: Buffer) => {
          if (first && chunk.length) {
            chunk = Buffer.from(chunk);
            chunk[0] = chunk[0]! ^ 0xff;
            first = false;
          }
          res.write(chunk);
        });
        ures.on('end', () => res.end());
        return;
      }
      ures.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.on('data', (chunk: Buffer) => (record.sent += chunk.length));
    req.pipe(up);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs cloudlet without blocking this process (the proxy answers from it). */
export function cloudlet(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
  const [file, ...pre] = cloudletCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(file!, [...pre, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a tool without blocking; rejects on a non-zero exit with its stderr. */
export function tool(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${file} ${args.join(' ')} exited ${code}: ${stderr}`))));
  });
}

interface IndexEntry {
  digest: string;
  annotations?: Record<string, string>;
}

export function storeRefs(store: string): IndexEntry[] {
  return (JSON.parse(readFileSync(join(store, 'index.json'), 'utf8')) as { manifests: IndexEntry[] }).manifests;
}

export function storeBlobs(store: string): string[] {
  return readdirSync(join(store, 'blobs', 'sha256')).sort();
}

/** Every blob a ref of the store needs (manifest, config, layers) is there: what "consistent" means for a pull cut short. */
export function missingBlobs(store: string): string[] {
  const missing: string[] = [];
  const has = (d: string) => existsSync(join(store, 'blobs', 'sha256', d.slice(7)));
  for (const entry of storeRefs(store)) {
    if (!has(entry.digest)) {
      missing.push(entry.digest);
      continue;
    }
    const m = JSON.parse(readFileSync(join(store, 'blobs', 'sha256', entry.digest.slice(7)), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [m.config.digest, ...m.layers.map((l) => l.digest)]) if (!has(d)) missing.push(d);
  }
  return missing;
}

/** Files left in the store's tmp/ by pulls (the lock may live there too and is not counted). */
export function pullTemps(store: string): string[] {
  return existsSync(join(store, 'tmp')) ? readdirSync(join(store, 'tmp')).filter((f) => f.startsWith('pull-')) : [];
}
