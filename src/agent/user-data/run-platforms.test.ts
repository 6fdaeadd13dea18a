// Proves platforms are asked in order under their deadlines, and which outcomes stop the search.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { askPlatforms, type Attempt } from './run-platforms';
import { machine, type Machine } from '../test-machine';
import type { Datasource, DatasourceContext } from '../platforms/types';

let m: Machine;
beforeEach(() => {
  m = machine();
});
afterEach(() => m.cleanup());

function source(name: string, fetch: (ctx: DatasourceContext) => Promise<unknown>): Datasource {
  return { name, kind: 'local', fetch: fetch as Datasource['fetch'] };
}
const found = (name: string) => source(name, async () => ({ platform: name, userData: Buffer.from('{}'), meta: {} }));
const absent = (name: string) => source(name, async () => null);
const never = (name: string) => source(name, () => new Promise(() => {}));

/** A platform that never answers is abandoned after its deadline and this grace: short, as these platforms have nothing to clean up. */
const GRACE_MS = 20;

function ask(sources: Datasource[], settings = {}) {
  const attempts: Attempt[] = [];
  return askPlatforms(sources, { system: m.system, root: m.root, cmdline: '', params: [], settings, graceMs: GRACE_MS, onAttempt: (a) => attempts.push(a) }).then(
    (answer) => ({ answer, attempts }),
    (error: AgentError) => ({ error, attempts }),
  );
}

describe('askPlatforms', () => {
  it('takes the first platform that answers and asks no later one', async () => {
    let asked = false;
    const r = await ask([absent('a'), found('b'), source('c', async () => ((asked = true), null))]);
    expect('answer' in r && r.answer.result?.platform).toBe('b');
    expect(asked).toBe(false);
    expect(r.attempts.map((a) => `${a.platform}:${a.outcome}`)).toEqual(['a:absent', 'b:ok']);
  });

  it('tells each platform it asks, with the deadline it gets, before it asks (progress names it while it is waited on)', async () => {
    const asks: string[] = [];
    const events: string[] = [];
    const start = m.system.monotonicMs();
    await askPlatforms([absent('a'), found('b')], {
      system: m.system, root: m.root, cmdline: '', params: [], settings: { timeout: 3 },
      onAsk: (platform, startMs, deadline) => {
        asks.push(`${platform} ${deadline - startMs}`);
        expect(startMs).toBeGreaterThanOrEqual(start);
        events.push(`ask ${platform}`);
      },
      onAttempt: (a) => events.push(`${a.outcome} ${a.platform}`),
    });
    expect(asks).toEqual(['a 3000', 'b 3000']);
    expect(events).toEqual(['ask a', 'absent a', 'ask b', 'ok b']);
  });

  it('returns no result when every platform is absent', async () => {
    const r = await ask([absent('a'), absent('b')]);
    expect('answer' in r && r.answer.result).toBeNull();
  });

  it('stops at a platform that is present but broken', async () => {
    const r = await ask([source('a', async () => { throw new AgentError('E_PLATFORM', 'a: HTTP 500'); }), found('b')]);
    expect('error' in r && r.error.code).toBe('E_PLATFORM');
  });

  it('passes over a platform that does not answer within its deadline, and a later answer wins', async () => {
    const r = await ask([never('slow'), found('b')], { timeout: 0.2 });
    expect('answer' in r && r.answer.result?.platform).toBe('b');
    expect(r.attempts[0]).toMatchObject({ platform: 'slow', outcome: 'failed', code: 'E_PLATFORM_TIMEOUT' });
  });

  it('fails with the timeout when nothing else answers', async () => {
    const r = await ask([never('slow'), absent('b')], { timeout: 0.2 });
    expect('error' in r && r.error.code).toBe('E_PLATFORM_TIMEOUT');
    expect('error' in r && r.error.message).toContain('slow');
  });

  it('hands each platform a deadline no later than the total one, and skips platforms once it has passed', async () => {
    const deadlines: number[] = [];
    const start = m.system.monotonicMs();
    const r = await ask([never('x'), source('y', async (ctx) => (deadlines.push(ctx.deadline), null)), absent('z')], { timeout: 5, total: 0.3 });
    expect('error' in r && r.error.code).toBe('E_PLATFORM_TIMEOUT');
    expect(r.attempts.map((a) => a.outcome)).toEqual(['failed', 'skipped', 'skipped']);
    expect(deadlines).toEqual([]);
    expect(m.system.monotonicMs() - start).toBeLessThan(5000);
  });

  it('gives every platform of the pass the same block-device scan', async () => {
    const scans: Promise<unknown>[] = [];
    const scanning = (name: string) => source(name, async (ctx) => (scans.push(ctx.filesystems()), null));
    await ask([scanning('a'), scanning('b')]);
    expect(scans).toHaveLength(2);
    expect(scans[0]).toBe(scans[1]);
  });

  it('names the platform in its errors once, even when the message happens to contain the name', async () => {
    const r = await ask([source('file', async () => Promise.reject(new AgentError('E_IO', 'cannot read the file')))]);
    expect('error' in r && r.error.message).toBe('file: cannot read the file');
    const named = await ask([source('xen', async () => Promise.reject(new AgentError('E_PLATFORM', 'xen: no key')))]);
    expect('error' in named && named.error.message).toBe('xen: no key');
  });
});
