// Proves the XenStore reader against an in-memory xenstored: framing, partial reads and writes, errors, garbage, deadline.

import { describe, expect, it } from 'vitest';
import { decodeReply, encodeRead, xenstoreRead, XENSTORE_PAYLOAD_MAX, type XenbusPort } from './xenstore';

const XS_READ = 2;
const XS_ERROR = 16;

function frame(type: number, reqId: number, payload: Buffer | string): Buffer {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(16);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(reqId, 4);
  head.writeUInt32LE(0, 8);
  head.writeUInt32LE(body.length, 12);
  return Buffer.concat([head, body]);
}

interface Store {
  port: XenbusPort;
  /** every request xenstored received, decoded */
  requests: Array<{ type: number; reqId: number; txId: number; key: string }>;
}

/**
 * A xenstored behind a port: parses each request it is sent and answers with `answer(key, reqId)`
 * (null: never answers), handing out at most `chunk` bytes per read and taking at most `take` per write.
 */
function xenstored(answer: (key: string, reqId: number) => Buffer | null, opts: { chunk?: number; take?: number } = {}): Store {
  const requests: Store['requests'] = [];
  let inbox = Buffer.alloc(0);
  let outbox = Buffer.alloc(0);
  const port: XenbusPort = {
    async write(bytes) {
      const n = Math.min(bytes.length, opts.take ?? bytes.length);
      inbox = Buffer.concat([inbox, bytes.subarray(0, n)]);
      while (inbox.length >= 16 && inbox.length >= 16 + inbox.readUInt32LE(12)) {
        const len = inbox.readUInt32LE(12);
        const req = { type: inbox.readUInt32LE(0), reqId: inbox.readUInt32LE(4), txId: inbox.readUInt32LE(8), key: inbox.subarray(16, 16 + len).toString('utf8') };
        requests.push(req);
        inbox = inbox.subarray(16 + len);
        const reply = answer(req.key.replace(/\0$/, ''), req.reqId);
        if (reply) outbox = Buffer.concat([outbox, reply]);
      }
      return n;
    },
    async read() {
      const n = Math.min(outbox.length, opts.chunk ?? outbox.length);
      const out = outbox.subarray(0, n);
      outbox = outbox.subarray(n);
      return Buffer.from(out);
    },
    async close() {},
  };
  return { port, requests };
}

const soon = () => performance.now() + 2000;
const clock = () => performance.now();

describe('xenstoreRead', () => {
  it('sends one XS_READ of the NUL-terminated key outside any transaction and returns the value it gets back', async () => {
    const store = xenstored((key, id) => (key === 'vm-data/user-data' ? frame(XS_READ, id, '{"config":{}}') : null));
    const answer = await xenstoreRead(store.port, 'vm-data/user-data', 7, soon(), clock);
    expect(answer).toEqual({ value: Buffer.from('{"config":{}}') });
    expect(store.requests).toEqual([{ type: XS_READ, reqId: 7, txId: 0, key: 'vm-data/user-data\0' }]);
  });

  it('puts a reply together from reads of one byte, after writes the device took a few bytes at a time', async () => {
    const value = 'x'.repeat(XENSTORE_PAYLOAD_MAX);
    const store = xenstored((_key, id) => frame(XS_READ, id, value), { chunk: 1, take: 5 });
    const answer = await xenstoreRead(store.port, 'vm-data/user-data', 1, soon(), clock);
    expect('value' in answer && answer.value.toString()).toBe(value);
    expect(store.requests).toHaveLength(1);
  });

  it('hands back the error xenstored names (ENOENT for a missing key), without its NUL', async () => {
    const store = xenstored((_key, id) => frame(XS_ERROR, id, 'ENOENT\0'));
    expect(await xenstoreRead(store.port, 'vm-data/user-data', 1, soon(), clock)).toEqual({ error: 'ENOENT' });
  });

  it('gives up with E_PLATFORM_TIMEOUT at the deadline when xenstored never answers', async () => {
    const store = xenstored(() => null);
    const deadline = performance.now() + 60;
    await expect(xenstoreRead(store.port, 'vm-data/user-data', 1, deadline, clock)).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT', where: 'vm-data/user-data' });
    expect(performance.now()).toBeGreaterThanOrEqual(deadline);
  });

  it('gives up at the deadline when the device never takes the request', async () => {
    const store = xenstored(() => null, { take: 0 });
    await expect(xenstoreRead(store.port, 'k', 1, performance.now() + 30, clock)).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT' });
    expect(store.requests).toEqual([]);
  });
});

describe('decodeReply', () => {
  it('waits for the rest of a header or a payload', () => {
    const whole = frame(XS_READ, 3, 'value');
    expect(decodeReply(whole.subarray(0, 15), 3, 'k')).toBeNull();
    expect(decodeReply(whole.subarray(0, whole.length - 1), 3, 'k')).toBeNull();
    expect(decodeReply(whole, 3, 'k')).toEqual({ value: Buffer.from('value') });
  });

  it.each([
    ['a length past the protocol maximum', frame(XS_READ, 1, 'x'.repeat(XENSTORE_PAYLOAD_MAX + 1)), /length of 4097 bytes/],
    ['another message type', frame(15, 1, 'path\0token\0'), /message type 15/],
    ['the reply to another request', frame(XS_READ, 9, 'v'), /reply to request 9/],
    ['bytes after the reply', Buffer.concat([frame(XS_READ, 1, 'v'), Buffer.from('junk')]), /4 bytes after the reply/],
    ['text that is not XenStore', Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'), /length|type/],
  ])('refuses %s as E_PLATFORM naming the key', (_what, bytes, message) => {
    expect(() => decodeReply(bytes, 1, 'vm-data/user-data')).toThrow(message);
    try {
      decodeReply(bytes, 1, 'vm-data/user-data');
    } catch (err) {
      expect(err).toMatchObject({ code: 'E_PLATFORM', where: 'vm-data/user-data' });
    }
  });

  it('encodes what it decodes: a request is a 16-byte little-endian header and the key with its NUL', () => {
    const req = encodeRead(0x01020304, 'vm');
    expect(req.toString('hex')).toBe('02000000' + '04030201' + '00000000' + '03000000' + Buffer.from('vm\0').toString('hex'));
  });
});
