// A xenstored behind a raw pty (made by socat) that stands in for a Xen guest's /dev/xen/xenbus.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const XS_READ = 2;
export const XS_ERROR = 16;

/** Bytes of one reply frame: the 16-byte little-endian header (type, req_id, tx_id 0, len) and the payload. */
export function xsFrame(type: number, reqId: number, payload: string | Buffer): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(16);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(reqId, 4);
  head.writeUInt32LE(body.length, 12);
  return Buffer.concat([head, body]);
}

export interface XsRequest {
  type: number;
  reqId: number;
  txId: number;
  /** the payload, its final NUL kept */
  payload: string;
}

export interface Xenstored {
  /** the pty's slave, as a symlink socat made (point /dev/xen/xenbus at its target) */
  device: string;
  requests: XsRequest[];
  close(): void;
}

/**
 * Starts socat with a raw pty linked at `dir`/xenbus and answers each request frame with `answer(request)`
 * (null: never answers). socat ends when the agent closes the device.
 */
export async function startXenstored(dir: string, answer: (req: XsRequest) => Buffer | null): Promise<Xenstored> {
  const device = join(dir, 'xenbus');
  const socat: ChildProcess = spawn('socat', [`PTY,link=${device},rawer`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const started = await new Promise<Error | null>((resolve) => {
    socat.once('error', resolve);
    const poll = setInterval(() => {
      if (existsSync(device)) {
        clearInterval(poll);
        resolve(null);
      }
    }, 10);
  });
  if (started) throw new Error(`socat could not run (${started.message}): apt-get install socat (build/setup-host.sh test)`);
  const requests: XsRequest[] = [];
  let inbox = Buffer.alloc(0);
  socat.stdout?.on('data', (chunk: Buffer) => {
    inbox = Buffer.concat([inbox, chunk]);
    while (inbox.length >= 16 && inbox.length >= 16 + inbox.readUInt32LE(12)) {
      const len = inbox.readUInt32LE(12);
      const req = { type: inbox.readUInt32LE(0), reqId: inbox.readUInt32LE(4), txId: inbox.readUInt32LE(8), payload: inbox.subarray(16, 16 + len).toString('utf8') };
      inbox = inbox.subarray(16 + len);
      requests.push(req);
      const reply = answer(req);
      if (reply) socat.stdin?.write(reply);
    }
  });
  socat.stdin?.on('error', () => undefined);
  return { device, requests, close: () => socat.kill('SIGKILL') };
}
