// Proves how metadata requests end: which failure is reported once the deadline has passed.

import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { ResponseTooLarge, type HttpRequest, type HttpResponse, type System } from '../../system/system';
import { metadataRequest, RETRY_TIMING } from './http-retry';
import type { DatasourceContext, RetryTiming } from './types';

/** A context whose HTTP answers come from `answers` in turn, on a clock that each request and each wait advances. */
function contextWith(
  answers: Array<HttpResponse | AgentError>,
  deadlineMs: number,
  timing: Partial<Omit<RetryTiming, 'sleep'>> = {},
): { ctx: DatasourceContext; calls: HttpRequest[]; waits: number[] } {
  let clock = 0;
  const calls: HttpRequest[] = [];
  const waits: number[] = [];
  const system = {
    monotonicMs: () => clock,
    http: async (req: HttpRequest) => {
      calls.push(req);
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)] as HttpResponse | AgentError;
      clock += req.timeoutMs >= 400 ? 400 : req.timeoutMs;
      if (answer instanceof AgentError) throw answer;
      return answer;
    },
  } as unknown as System;
  const retry = {
    ...RETRY_TIMING,
    ...timing,
    sleep: async (ms: number) => {
      waits.push(ms);
      clock += ms;
    },
  };
  return { ctx: { system, root: '/', cmdline: '', deadline: deadlineMs, settings: {}, params: [], filesystems: async () => [], retry }, calls, waits };
}

const status = (code: number): HttpResponse => ({ status: code, headers: {}, body: Buffer.alloc(0) });
const timeout = () => new AgentError('E_PLATFORM_TIMEOUT', 'GET did not finish');

describe('metadataRequest', () => {
  it('reports a service that answered 500 as broken, even when a later attempt ran into the deadline', async () => {
    const { ctx, calls } = contextWith([status(500), timeout()], 1000);
    await expect(metadataRequest(ctx, 'ec2', { url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({ code: 'E_PLATFORM' });
    expect(calls.length).toBeGreaterThan(1);
  });

  it('reports a reply that is not HTTP as a broken service, even when a later attempt ran into the deadline', async () => {
    const parseError = Object.assign(new Error('Parse Error: Expected HTTP/'), { code: 'HPE_INVALID_CONSTANT' });
    const garbage = new AgentError('E_PLATFORM', 'GET http://127.0.0.1:9/x failed: Parse Error: Expected HTTP/', { cause: parseError });
    const { ctx, calls } = contextWith([garbage, timeout()], 1000);
    await expect(metadataRequest(ctx, 'gce', { url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({
      code: 'E_PLATFORM',
      message: 'gce: http://127.0.0.1:9/x answered with something that is not HTTP (HPE_INVALID_CONSTANT)',
    });
    expect(calls.length).toBeGreaterThan(1);
  });

  it('reports a timeout when nothing ever answered', async () => {
    const { ctx } = contextWith([timeout()], 1000);
    await expect(metadataRequest(ctx, 'ec2', { url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT' });
  });

  it('returns the first answer that is not worth retrying', async () => {
    const { ctx } = contextWith([status(503), status(404)], 5000);
    expect((await metadataRequest(ctx, 'ec2', { url: 'http://127.0.0.1:9/x' }))?.status).toBe(404);
  });

  it('stops at a response over the cap without retrying: too large user data, or a broken service naming its URL', async () => {
    const big = () => new ResponseTooLarge('E_PLATFORM', 'response is larger than 10 bytes');
    const user = contextWith([big()], 5000);
    await expect(metadataRequest(user.ctx, 'ec2', { url: 'http://127.0.0.1:9/ud' }, true)).rejects.toMatchObject({ code: 'E_USERDATA_TOO_LARGE', where: 'http://127.0.0.1:9/ud' });
    expect(user.calls).toHaveLength(1);
    const meta = contextWith([big()], 5000);
    await expect(metadataRequest(meta.ctx, 'ec2', { url: 'http://127.0.0.1:9/meta', maxBytes: 10 })).rejects.toMatchObject({
      code: 'E_PLATFORM',
      message: 'ec2: http://127.0.0.1:9/meta sent more than 10 bytes',
    });
    expect(meta.calls).toHaveLength(1);
  });

  it('does not take an error message that merely says "larger than" for an oversize response', async () => {
    const { ctx, calls } = contextWith([new AgentError('E_PLATFORM', 'GET failed: header larger than allowed'), status(200)], 5000);
    expect((await metadataRequest(ctx, 'ec2', { url: 'http://127.0.0.1:9/x' }))?.status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('times attempts and the waits between them by the context: each attempt capped, each wait at most base * 2^n and the cap', async () => {
    const { ctx, calls, waits } = contextWith([status(503)], 10_000, { attemptMs: 300, backoffBaseMs: 10, backoffCapMs: 50 });
    await expect(metadataRequest(ctx, 'ec2', { url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({ code: 'E_PLATFORM' });
    expect(calls[0]?.timeoutMs).toBe(300);
    expect(calls.every((c) => c.timeoutMs <= 300)).toBe(true);
    expect(waits.length).toBe(calls.length - 1);
    waits.forEach((ms, n) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(Math.min(50, 10 * 2 ** n));
    });
  });

  it('gives an attempt no more than the time left before the deadline', async () => {
    const { ctx, calls } = contextWith([timeout()], 150, { attemptMs: 2000 });
    await expect(metadataRequest(ctx, 'ec2', { url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({ code: 'E_PLATFORM_TIMEOUT' });
    expect(calls[0]?.timeoutMs).toBe(150);
  });
});
