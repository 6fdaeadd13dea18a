// A loopback HTTP server for metadata-service emulators, with the faults datasources must survive.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * What goes wrong, for requests whose path matches the fault's `path` (all when absent):
 * 404/500 statuses, a connection that is accepted and never answered, a body that trickles forever,
 * bytes that are not HTTP, a 200 whose body is not what the client expects, a 2 MiB body.
 */
export type FaultKind = '404' | '500' | 'hang' | 'slow' | 'garbage' | 'garbage-body' | 'oversize';

export interface Fault {
  kind: FaultKind;
  path?: RegExp;
}

export interface Route {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export interface SeenRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Answers a request the normal way; null for 404. */
export type Handler = (req: SeenRequest) => Route | null;

export interface Emulator {
  url: string;
  requests: SeenRequest[];
  /** changes the fault for later requests */
  setFault(fault: Fault | null): void;
  close(): Promise<void>;
}

export const OVERSIZE_BYTES = 2 << 20;

export async function startEmulator(handler: Handler, fault: Fault | null = null): Promise<Emulator> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let current = fault;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen: SeenRequest = { method: req.method ?? '', path: req.url ?? '/', headers: req.headers };
    requests.push(seen);
    req.resume();
    const f = current && (!current.path || current.path.test(seen.path)) ? current : null;
    if (f?.kind === 'hang') return;
    if (f?.kind === 'garbage') {
      res.socket?.end('\u0000\u0001 this is not HTTP \u00ff\r\n\r\n');
      return;
    }
    if (f?.kind === 'slow') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '100000' });
      const tick = setInterval(() => res.write('.'), 200);
      timers.add(tick);
      res.on('close', () => clearInterval(tick));
      return;
    }
    if (f?.kind === 'oversize') return send(res, { status: 200, body: Buffer.alloc(OVERSIZE_BYTES, 0x7b) });
    if (f?.kind === 'garbage-body') return send(res, { status: 200, body: '<html>\u0000 not the answer {{{' });
    if (f?.kind === '404') return send(res, { status: 404, body: 'not found' });
    if (f?.kind === '500') return send(res, { status: 500, body: 'internal error' });
    send(res, handler(seen) ?? { status: 404, body: 'not found' });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault: (f) => {
      current = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, route: Route): void {
  const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body;
  res.writeHead(route.status, { 'content-type': 'text/plain', 'content-length': String(body.length), connection: 'close', ...route.headers });
  res.end(body);
}
