// The live status socket served with node-ipc: broadcasts events, answers "status"; holds the process only while it closes.

import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { newIpc } from './load-node-ipc';
import { EVENT_MESSAGE, STATUS_REPLY, STATUS_REQUEST, type LiveServer, type LiveServerOptions } from './live';

/** How long close() lets clients drain the last events before cutting them off. */
const CLOSE_GRACE_MS = 100;

export async function startIpcServer(options: LiveServerOptions): Promise<LiveServer> {
  const ipc = await newIpc();
  // The socket sits directly in the run directory; node-ipc must not chmod that directory to 0700
  // (status.json beside it stays readable for everyone).
  ipc.config.socketRoot = dirname(options.socketPath) + '/';
  ipc.config.secureSocketRoot = false;
  ipc.config.unlink = true;
  ipc.config.maxConnections = 32;

  await new Promise<void>((resolve, reject) => {
    let started = false;
    ipc.serve(options.socketPath, () => {
      started = true;
      const server = ipc.server.server;
      if (server) server.unref();
      resolve();
    });
    ipc.server.on('error', (error: Error) => {
      if (!started) reject(error);
    });
    // Clients must never keep a finished agent alive.
    ipc.server.on('connect', (socket: Socket) => socket.unref?.());
    ipc.server.on(STATUS_REQUEST, (_data: unknown, socket: Socket) => {
      try {
        ipc.server.emit(socket, STATUS_REPLY, options.snapshot());
      } catch {
        socket.destroy();
      }
    });
    try {
      ipc.server.start();
    } catch (error) {
      reject(error as Error);
    }
  });

  let closed = false;
  return {
    broadcast(event) {
      if (closed) return;
      try {
        ipc.server.broadcast(EVENT_MESSAGE, event);
      } catch {
        // A client that cannot keep up is node-ipc's to drop; the boot goes on.
      }
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        const server = ipc.server.server;
        const sockets = [...ipc.server.sockets];
        const done = () => {
          clearTimeout(timer);
          for (const s of sockets) s.destroy();
          resolve();
        };
        // Referenced, unlike the server and its sockets: while the clients drain, this timer is what
        // keeps the agent alive (an event loop with nothing referenced exits mid-close, with code 0).
        const timer = setTimeout(done, CLOSE_GRACE_MS);
        // end() rather than destroy(): the final events already written still reach the clients.
        for (const s of sockets) s.end();
        if (server) server.close(() => done());
        else done();
      });
    },
  };
}
