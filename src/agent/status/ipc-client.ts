// Talks to a running agent's status socket with node-ipc: one snapshot, then events until it goes away.

import type { IpcClientConnection } from 'node-ipc';
import { newIpc } from './load-node-ipc';
import type { LiveEvent, StatusDoc } from './formats';
import { EVENT_MESSAGE, STATUS_REPLY, STATUS_REQUEST, type LiveClient, type LiveClientOptions } from './live';

const ID = 'cloudlet-agent';

export async function connectIpc(socketPath: string, options: LiveClientOptions = {}): Promise<LiveClient> {
  if (options.signal?.aborted) throw new Error('aborted');
  const ipc = await newIpc();
  // One attempt: waiting for an agent that is not there is the caller's decision, bounded by its timer.
  ipc.config.maxRetries = 0;
  ipc.config.stopRetrying = true;

  const closeListeners: (() => void)[] = [];
  let gone = false;
  const teardown = () => {
    ipc.disconnect(ID);
    if (gone) return;
    gone = true;
    for (const l of closeListeners) l();
  };
  options.signal?.addEventListener('abort', teardown, { once: true });

  const conn = await new Promise<IpcClientConnection>((resolve, reject) => {
    ipc.connectTo(ID, socketPath);
    const c = ipc.of[ID];
    if (!c) {
      reject(new Error(`cannot connect to ${socketPath}`));
      return;
    }
    let connected = false;
    c.on('connect', () => {
      connected = true;
      resolve(c);
    });
    c.on('error', (error: Error) => {
      if (!connected) reject(error);
    });
    c.on('destroy', () => {
      if (!connected) reject(new Error(`${socketPath} closed before answering`));
      teardown();
    });
    options.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
  });

  return {
    snapshot() {
      return new Promise<StatusDoc>((resolve, reject) => {
        if (gone) {
          reject(new Error('the agent closed the status socket'));
          return;
        }
        const onReply = (doc: StatusDoc) => {
          conn.off(STATUS_REPLY, onReply);
          resolve(doc);
        };
        conn.on(STATUS_REPLY, onReply);
        closeListeners.push(() => reject(new Error('the agent closed the status socket')));
        conn.emit(STATUS_REQUEST, {});
      });
    },
    onEvent(listener: (event: LiveEvent) => void) {
      conn.on(EVENT_MESSAGE, listener);
    },
    onClose(listener) {
      if (gone) listener();
      else closeListeners.push(listener);
    },
    close: teardown,
  };
}
