// A loopback EC2 instance metadata service (IMDSv2: PUT a token, then GET with it) for guests behind QEMU user networking.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImdsRequest {
  method: string;
  path: string;
  withToken: boolean;
}

export interface Imds {
  port: number;
  requests: ImdsRequest[];
  close(): Promise<void>;
}

/** Serves `paths` (e.g. "/latest/user-data") to callers holding a token from PUT /latest/api/token; 401 otherwise. */
export async function startImds(paths: Record<string, string>): Promise<Imds> {
  const token = `vmtest-token-${process.pid}-${Date.now()}`;
  const requests: ImdsRequest[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const withToken = req.headers['x-aws-ec2-metadata-token'] === token;
    requests.push({ method: req.method ?? '', path, withToken });
    req.resume();
    const send = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), connection: 'close' });
      res.end(body);
    };
    if (req.method === 'PUT' && path === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(400, 'missing or invalid token TTL');
      return send(200, token);
    }
    if (req.method !== 'GET') return send(405, 'method not allowed');
    if (!withToken) return send(401, 'unauthorized');
    const body = paths[path];
    if (body === undefined) return send(404, 'not found');
    send(200, body);
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
