// The part of node-ipc 14 (which ships no types) that ipc-server.ts and ipc-client.ts use.

declare module 'node-ipc' {
  import type { Server as NetServer, Socket } from 'node:net';

  export interface IpcConfig {
    silent: boolean;
    socketRoot: string;
    secureSocketRoot: boolean;
    unlink: boolean;
    maxConnections: number;
    maxRetries: number;
    stopRetrying: boolean;
    retry: number;
  }

  export interface IpcSocketServer {
    server: NetServer | false;
    sockets: Socket[];
    on(event: string, handler: (...args: any[]) => void): this;
    emit(socket: Socket, type: string, data: unknown): boolean;
    broadcast(type: string, data: unknown): boolean;
    start(): void;
    stop(): void;
  }

  export interface IpcClientConnection {
    socket: Socket | false;
    on(event: string, handler: (...args: any[]) => void): this;
    off(event: string, handler: (...args: any[]) => void): this;
    emit(type: string, data: unknown): boolean;
  }

  export class IPCModule {
    config: IpcConfig;
    server: IpcSocketServer;
    of: Record<string, IpcClientConnection | undefined>;
    serve(path: string, callback?: () => void): void;
    connectTo(id: string, path: string, callback?: () => void): void;
    disconnect(id: string): void;
  }
}
