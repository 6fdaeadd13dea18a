import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, RegistryClient, type ClientOptions } from './client';
import { checkScheme } from './transport';
import { AgentError } from '../../errors';

let server: Server | undefined;

async function serve(handler: (req: IncomingMessage, res: ServerResponse, port: number) => void): Promise<number> {
  server = createServer((req, res) => handler(req, res, (server!.address() as AddressInfo).port));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

function client(port: number, extra: Partial<ClientOptions> = {}): { c: RegistryClient; slept: number[] } {
  const slept: number[] = [];
  const c = new RegistryClient({
    ref: { host: `127.0.0.1:${port}`, repo: 'apps/web' },
    insecure: false,
    timeoutMs: 5000,
    deadlineMs: 60_000,
    timing: { now: () => 0, sleep: async (ms) => void slept.push(ms) },
    retries: 3,
    push: false,
    ...extra,
  });
  return { c, slept };
}

const D = `sha256:${'a'.repeat(64)}`;

describe('RegistryClient', () => {
  it('retries 5xx with doubling, capped backoff (no real sleep), then succeeds', async () => {
    let calls = 0;
    const port = await serve((_req, res) => {
      res.writeHead(++calls < 4 ? 502 : 200).end();
    });
    const { c, slept } = client(port);
    expect(await c.hasBlob(D)).toBe(true);
    expect(slept).toEqual([backoffMs(0), backoffMs(1), backoffMs(2)]);
    expect([backoffMs(0), backoffMs(10)]).toEqual([200, 5000]);
    c.close();
  });

  it('answers a Bearer challenge with a token from the realm (Basic credentials sent there, scope asked), then uses it', async () => {
    const seen: string[] = [];
    const port = await serve((req, res, p) => {
      if (req.url!.startsWith('/token')) {
        seen.push(`token ${req.url} ${req.headers.authorization}`);
        return res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"tok-123"}');
      }
      seen.push(`${req.method} ${req.headers.authorization}`);
      if (req.headers.authorization !== 'Bearer tok-123') {
        return res.writeHead(401, { 'www-authenticate': `Bearer realm="http://127.0.0.1:${p}/token",service="reg",scope="repository:apps/web:pull"` }).end();
      }
      res.writeHead(404).end();
    });
    const { c } = client(port, { credentials: { username: 'u', password: 'pw', source: 'f' } });
    expect(await c.hasBlob(D)).toBe(false);
    expect(seen).toEqual([
      'HEAD undefined',
      `token /token?service=reg&scope=repository%3Aapps%2Fweb%3Apull Basic ${Buffer.from('u:pw').toString('base64')}`,
      'HEAD Bearer tok-123',
    ]);
    c.close();
  });

  it('answers Basic once; refused credentials end in a 401 whose message holds no secret', async () => {
    const port = await serve((req, res) => {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="r"', 'content-type': 'application/json' }).end(`{"errors":[{"code":"UNAUTHORIZED","message":"bad ${req.headers.authorization ?? ''}"}]}`);
    });
    const { c } = client(port, { credentials: { username: 'user', password: 'hunter2-long', source: 'f' } });
    const err = await c.getManifest('latest').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    const text = (err as AgentError).render();
    expect(text).toContain('401 unauthorized');
    expect((err as AgentError).fix).toContain('refused the credentials for 127.0.0.1');
    expect(text).not.toContain(Buffer.from('user:hunter2-long').toString('base64'));
    c.close();
  });

  it('refuses a manifest larger than its bound while it streams', async () => {
    const port = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      const chunk = Buffer.alloc(1024 * 1024, 32);
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end();
    });
    const { c } = client(port);
    await expect(c.getManifest('latest')).rejects.toThrow(/grows past the 4194304 bytes/);
    c.close();
  });

  it('ends at the overall deadline instead of retrying on', async () => {
    const port = await serve((_req, res) => res.writeHead(500).end());
    let now = 0;
    const c = new RegistryClient({ ref: { host: `127.0.0.1:${port}`, repo: 'r' }, insecure: false, timeoutMs: 1000, deadlineMs: 300, retries: 9, push: false, timing: { now: () => now, sleep: async (ms) => void (now += ms) } });
    await expect(c.hasBlob(D)).rejects.toThrow(/overall deadline/);
    expect(now).toBeLessThan(1000);
    c.close();
  });
});

describe('redirects', () => {
  it('follows a blob GET to storage on another origin without the registry\'s Authorization, and bounds the hops', async () => {
    const seen: Array<string | undefined> = [];
    const storage = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200).end('blob');
    });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    const storagePort = (storage.address() as AddressInfo).port;
    const port = await serve((req, res) => {
      if (!req.headers.authorization) return res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
      if (req.url!.includes('loop')) return res.writeHead(302, { location: req.url }).end();
      res.writeHead(307, { location: `http://127.0.0.1:${storagePort}/bucket/x` }).end();
    });
    const { c } = client(port, { credentials: { username: 'u', password: 'p', source: 'f' } });
    const reply = await c.getBlob(D);
    expect(reply.url).toBe(`http://127.0.0.1:${storagePort}/bucket/x`);
    reply.body.resume();
    expect(seen).toEqual([undefined]);
    await expect(c.getBlob(`${D}loop`)).rejects.toThrow(/more than 5 redirects/);
    c.close();
    await new Promise((resolve) => storage.close(resolve));
  });
});

describe('checkScheme', () => {
  it('allows plain http only to loopback or with --insecure, and says so', () => {
    expect(() => checkScheme(new URL('http://127.0.0.1:5000/v2/'), false)).not.toThrow();
    expect(() => checkScheme(new URL('http://[::1]:5000/v2/'), false)).not.toThrow();
    expect(() => checkScheme(new URL('http://reg.example.org/v2/'), true)).not.toThrow();
    expect(() => checkScheme(new URL('http://reg.example.org/v2/'), false)).toThrow(/only for 127.0.0.1, localhost and ::1, or with --insecure/);
    expect(() => checkScheme(new URL('ftp://reg.example.org/'), true)).toThrow(/refusing ftp:/);
  });
});
