import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { chunkBytes, clientOptions } from './options';

const args = (values: Record<string, string | boolean>) => ({ values, positionals: [] });
const ref = { host: '127.0.0.1:5000', repo: 'r' };

describe('registry flags', () => {
  it('turn seconds and sizes into the client options, with defaults', async () => {
    const o = await clientOptions(args({ timeout: '2.5', deadline: '60', insecure: true }), {}, ref, true);
    expect([o.timeoutMs, o.deadlineMs, o.insecure, o.push, o.credentials]).toEqual([2500, 60_000, true, true, undefined]);
    const d = await clientOptions(args({}), {}, ref, false);
    expect([d.timeoutMs, d.deadlineMs, d.insecure, d.retries]).toEqual([30_000, 3_600_000, false, 3]);
    expect([chunkBytes(args({})), chunkBytes(args({ 'chunk-size': '64K' })), chunkBytes(args({ 'chunk-size': '8M' }))]).toEqual([16 << 20, 64 << 10, 8 << 20]);
  });

  it.each([
    [{ timeout: '0' }, '--timeout "0"'],
    [{ deadline: 'soon' }, '--deadline "soon"'],
    [{ timeout: '-1' }, '--timeout "-1"'],
  ])('refuse %o', async (values, what) => {
    const err = await clientOptions(args(values), {}, ref, false).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_USAGE', message: expect.stringContaining(what) });
  });

  it('refuse a chunk size outside 64K to 256M', () => {
    expect(agentErrorOf(() => chunkBytes(args({ 'chunk-size': '1K' }))).message).toContain('from 64K to 256M');
    expect(agentErrorOf(() => chunkBytes(args({ 'chunk-size': '1G' }))).code).toBe('E_USAGE');
  });
});
