import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBoot } from '../../system/temp-names';
import { Store } from './store';
import { acquireLock } from './store-lock';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function store(waitMs = 0): Promise<Store> {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-lock-'));
  dirs.push(d);
  return Store.open(d, { create: true, lock: { waitMs } });
}

/** A pid that no process has now: a child that has exited and been reaped. */
function deadPid(): number {
  return spawnSync('true').pid as number;
}

function holder(s: Store, pid: number, boot: string | undefined, what: string): void {
  writeFileSync(join(s.dir, 'lock'), JSON.stringify({ pid, ...(boot ? { boot } : {}), what, since: '2026-01-01T00:00:00.000Z' }));
}

describe('withLock', () => {
  it('holds a lock file naming this process and what it does, and removes it after', async () => {
    const s = await store();
    const seen = await s.withLock('snapshot app:1', async () => JSON.parse(readFileSync(join(s.dir, 'lock'), 'utf8')) as Record<string, unknown>);
    expect(seen).toMatchObject({ pid: process.pid, what: 'snapshot app:1', boot: currentBoot() });
    expect(existsSync(join(s.dir, 'lock'))).toBe(false);
    expect(readdirSync(join(s.dir, 'tmp'))).toEqual([]);
  });

  it('removes the lock when the work fails, and passes the failure on', async () => {
    const s = await store();
    await expect(s.withLock('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(existsSync(join(s.dir, 'lock'))).toBe(false);
  });

  it('gives up on a live holder after the wait with E_STORE naming its pid and task', async () => {
    const s = await store(0);
    holder(s, 1, currentBoot(), 'pull debian:12');
    const err = await s.withLock('gc', async () => 'ran').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_STORE', message: expect.stringMatching(/store busy: process 1 .*"pull debian:12"/) });
    expect(JSON.parse(readFileSync(join(s.dir, 'lock'), 'utf8'))).toMatchObject({ pid: 1 });
  });

  it('takes over the lock of a dead holder and of a holder from an earlier boot', async () => {
    const s = await store(0);
    holder(s, deadPid(), currentBoot(), 'snapshot');
    expect(await s.withLock('gc', async () => 'ran')).toBe('ran');
    holder(s, 1, 'ffffffffffff' === currentBoot() ? 'eeeeeeeeeeee' : 'ffffffffffff', 'snapshot');
    expect(await s.withLock('gc', async () => 'ran again')).toBe('ran again');
    expect(existsSync(join(s.dir, 'lock'))).toBe(false);
    expect(readdirSync(join(s.dir, 'tmp'))).toEqual([]);
  });

  it('waits for a live holder that lets go within the wait', async () => {
    const s = await store(0);
    const release = await acquireLock(s.dir, join(s.dir, 'tmp'), 'first', { waitMs: 0 });
    let attempts = 0;
    const second = acquireLock(s.dir, join(s.dir, 'tmp'), 'second', {
      waitMs: 1e9,
      pause: async () => {
        attempts++;
        await release();
      },
    });
    const releaseSecond = await second;
    expect(attempts).toBe(1);
    expect(JSON.parse(readFileSync(join(s.dir, 'lock'), 'utf8'))).toMatchObject({ what: 'second' });
    await releaseSecond();
  });

  it('lets one holder at a time through when many wait at once', async () => {
    const s = await store(0);
    const others = await Promise.all(Array.from({ length: 8 }, () => Store.open(s.dir, { lock: { waitMs: 1e9, pause: () => new Promise((r) => setImmediate(r)) } })));
    let inside = 0;
    let most = 0;
    await Promise.all(
      others.map((o, i) =>
        o.withLock(`task ${i}`, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setImmediate(r));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('lets exactly one of many takers replace a dead holder\'s lock, and the others wait for it', async () => {
    const s = await store(0);
    holder(s, deadPid(), currentBoot(), 'snapshot killed');
    const takers = await Promise.all(Array.from({ length: 8 }, () => Store.open(s.dir, { lock: { waitMs: 1e9, pause: () => new Promise((r) => setImmediate(r)) } })));
    let inside = 0;
    let most = 0;
    let ran = 0;
    await Promise.all(
      takers.map((t, i) =>
        t.withLock(`task ${i}`, async () => {
          inside++;
          ran++;
          most = Math.max(most, inside);
          for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
          inside--;
        }),
      ),
    );
    expect([most, ran]).toEqual([1, 8]);
    expect(existsSync(join(s.dir, 'lock'))).toBe(false);
    expect(readdirSync(join(s.dir, 'tmp'))).toEqual([]);
  });

  it('refuses a lock file it did not write, saying how to clear it', async () => {
    const s = await store(0);
    writeFileSync(join(s.dir, 'lock'), 'garbage');
    await expect(s.withLock('gc', async () => 1)).rejects.toMatchObject({ code: 'E_STORE', fix: expect.stringMatching(/delete the lock/) });
  });
});
