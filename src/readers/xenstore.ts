// XenStore's wire protocol over a guest's xenbus device (/dev/xen/xenbus): reads a key without xenstore-read.

import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { AgentError } from '../errors';

/** Message types of xs_wire.h that a reader meets. */
const XS_READ = 2;
const XS_ERROR = 16;
/** struct xsd_sockmsg: type, req_id, tx_id, len, each a host-order (here little-endian) uint32. */
const HEADER_BYTES = 16;
/** xs_wire.h: no request or reply carries more; a larger length is not XenStore talking. */
export const XENSTORE_PAYLOAD_MAX = 4096;

/** A byte channel to xenstored: the xenbus device, or a stand-in in tests. */
export interface XenbusPort {
  /** How many of `bytes` were taken, 0 when none could be yet; never waits. */
  write(bytes: Buffer): Promise<number>;
  /** The bytes that have arrived, empty when none has yet; never waits. */
  read(): Promise<Buffer>;
  close(): Promise<void>;
}

/** A key's value, or the error name xenstored answered with (ENOENT, EACCES, ...). */
export type XenstoreAnswer = { value: Buffer } | { error: string };

export function encodeRead(reqId: number, key: string): Buffer {
  const payload = Buffer.from(`${key}\0`, 'utf8');
  const msg = Buffer.alloc(HEADER_BYTES + payload.length);
  msg.writeUInt32LE(XS_READ, 0);
  msg.writeUInt32LE(reqId, 4);
  msg.writeUInt32LE(0, 8);
  msg.writeUInt32LE(payload.length, 12);
  payload.copy(msg, HEADER_BYTES);
  return msg;
}

/**
 * The reply to request `reqId` once `buf` holds all of it, null while it is incomplete. Anything that
 * cannot be that reply (another type, another request id, a length past the protocol's maximum) throws:
 * with one request in flight and no watches, nothing else may arrive.
 */
export function decodeReply(buf: Buffer, reqId: number, key: string): XenstoreAnswer | null {
  if (buf.length < HEADER_BYTES) return null;
  const type = buf.readUInt32LE(0);
  const id = buf.readUInt32LE(4);
  const len = buf.readUInt32LE(12);
  const garbage = (what: string) => new AgentError('E_PLATFORM', `xen: the xenbus device answered the read of ${key} with ${what}`, {
    where: key,
    fix: 'this is not XenStore speaking: check that /dev/xen/xenbus is the xenbus device of a Xen guest',
  });
  if (len > XENSTORE_PAYLOAD_MAX) throw garbage(`a length of ${len} bytes (XenStore sends at most ${XENSTORE_PAYLOAD_MAX})`);
  if (type !== XS_READ && type !== XS_ERROR) throw garbage(`message type ${type}`);
  if (id !== reqId) throw garbage(`the reply to request ${id} (it sent ${reqId})`);
  if (buf.length < HEADER_BYTES + len) return null;
  if (buf.length > HEADER_BYTES + len) throw garbage(`${buf.length - HEADER_BYTES - len} bytes after the reply`);
  const payload = buf.subarray(HEADER_BYTES, HEADER_BYTES + len);
  if (type === XS_ERROR) return { error: payload.toString('latin1').replace(/\0+$/, '') || 'an empty error' };
  return { value: Buffer.from(payload) };
}

/** Reads `key` (relative keys are the domain's own, /local/domain/<id>/...) before `deadline` on `clock`. */
export async function xenstoreRead(port: XenbusPort, key: string, reqId: number, deadline: number, clock: () => number): Promise<XenstoreAnswer> {
  const request = encodeRead(reqId, key);
  let sent = 0;
  let buf = Buffer.alloc(0);
  let pause = 1;
  for (;;) {
    if (sent < request.length) {
      const n = await port.write(request.subarray(sent));
      sent += n;
      if (n > 0) continue;
    } else {
      const chunk = await port.read();
      if (chunk.length > 0) {
        buf = Buffer.concat([buf, chunk]);
        const answer = decodeReply(buf, reqId, key);
        if (answer) return answer;
        continue;
      }
    }
    const left = deadline - clock();
    if (left <= 0) {
      throw new AgentError('E_PLATFORM_TIMEOUT', `xen: XenStore did not answer the read of ${key} in time`, {
        where: key,
        fix: "check that xenstored runs for this guest's domain, or raise datasources.timeout in the manifest",
      });
    }
    // xenstored answers within a millisecond or so; back off to 20 ms between polls while it does not.
    await new Promise((r) => setTimeout(r, Math.min(pause, left)));
    pause = Math.min(pause * 2, 20);
  }
}

/** The xenbus device at `path` opened non-blocking, or null when it cannot be opened (absent, no driver). */
export async function openXenbus(path: string): Promise<XenbusPort | null> {
  const handle = await open(path, constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOCTTY).catch(() => null);
  if (!handle) return null;
  const again = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EAGAIN';
  return {
    write: (bytes) => handle.write(bytes, 0, bytes.length, null).then((r) => r.bytesWritten, (err: unknown) => {
      if (again(err)) return 0;
      throw err;
    }),
    async read() {
      const buf = Buffer.alloc(HEADER_BYTES + XENSTORE_PAYLOAD_MAX);
      const n = await handle.read(buf, 0, buf.length, null).then((r) => r.bytesRead, (err: unknown) => {
        if (again(err)) return 0;
        throw err;
      });
      return buf.subarray(0, n);
    },
    close: () => handle.close(),
  };
}
