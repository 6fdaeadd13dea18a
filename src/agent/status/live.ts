// The small contract of the live status channel, so node-ipc stays replaceable (node:net would do).

import type { LiveEvent, StatusDoc } from './formats';

export interface LiveServerOptions {
  socketPath: string;
  /** the current status, already scrubbed, for each client that asks */
  snapshot(): StatusDoc;
}

export interface LiveServer {
  /** sends an already scrubbed event to every connected client; never blocks */
  broadcast(event: LiveEvent): void;
  /**
   * lets clients read what was sent, then stops listening and removes the socket; resolves within a
   * short grace whatever the clients do, and keeps the process alive until it has
   */
  close(): Promise<void>;
}

export interface LiveClientOptions {
  /** aborting tears the connection down, whatever state it is in */
  signal?: AbortSignal;
}

export interface LiveClient {
  /** asks the agent for its current status */
  snapshot(): Promise<StatusDoc>;
  onEvent(listener: (event: LiveEvent) => void): void;
  /** called once when the agent goes away (finished, crashed or closed) */
  onClose(listener: () => void): void;
  close(): void;
}

/** Message names on the socket: a client sends STATUS_REQUEST, the agent answers with STATUS_REPLY. */
export const STATUS_REQUEST = 'status';
export const STATUS_REPLY = 'status';
export const EVENT_MESSAGE = 'event';
