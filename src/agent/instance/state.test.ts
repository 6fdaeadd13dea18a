// Proves first boot, every boot, interrupted first boots and clones are told apart from /var/lib/cloudlet.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completeBoot, markBootStarted, readBootRecord, type BootRecord } from './state';
import { machine, type Machine } from '../test-machine';

let m: Machine;
beforeEach(() => {
  m = machine();
});
afterEach(() => m.cleanup());
const now = new Date('2025-01-01T00:00:00Z');
const state = (name: string) => join(m.root, 'var/lib/cloudlet', name);

/** One boot as the instance step does it: read the record, then mark the boot started. */
async function recordBoot(root: string, instanceId: string | null, at: Date): Promise<BootRecord> {
  const record = await readBootRecord(root, instanceId);
  expect(await markBootStarted(root, instanceId, record.previousInstanceId, at)).toBe(true);
  return record;
}

describe('instance state', () => {
  it('is a first boot until completeBoot, then every later boot is not', async () => {
    expect(await recordBoot(m.root, 'i-1', now)).toMatchObject({ firstBoot: true, instanceChanged: false, previousInterrupted: false });
    expect(readFileSync(state('instance-id'), 'utf8')).toBe('i-1\n');
    expect(existsSync(state('boot-in-progress'))).toBe(true);
    await completeBoot(m.root, 'i-1');
    expect(existsSync(state('boot-in-progress'))).toBe(false);
    expect(await recordBoot(m.root, 'i-1', now)).toMatchObject({ firstBoot: false, instanceChanged: false });
  });

  it('repeats the first boot when the previous one was interrupted before completing', async () => {
    await recordBoot(m.root, 'i-1', now);
    expect(await recordBoot(m.root, 'i-1', now)).toMatchObject({ firstBoot: true, previousInterrupted: true });
  });

  it('detects a clone: a new instance id is a first boot and a changed instance', async () => {
    await recordBoot(m.root, 'i-1', now);
    await completeBoot(m.root, 'i-1');
    expect(await recordBoot(m.root, 'i-2', now)).toMatchObject({ firstBoot: true, instanceChanged: true, previousInstanceId: 'i-1' });
    expect(readFileSync(state('instance-id'), 'utf8')).toBe('i-2\n');
  });

  it('works without any instance id (user data from a file or the kernel command line)', async () => {
    expect((await recordBoot(m.root, null, now)).firstBoot).toBe(true);
    await completeBoot(m.root, null);
    expect(await recordBoot(m.root, null, now)).toMatchObject({ firstBoot: false, instanceChanged: false });
    expect(existsSync(state('instance-id'))).toBe(false);
  });

  it('refuses a state directory that is a symlink leaving the image', async () => {
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(join(m.root, 'var/lib'), { recursive: true });
    symlinkSync('../../../../outside', join(m.root, 'var/lib/cloudlet'));
    await expect(readBootRecord(m.root, 'i-1')).rejects.toMatchObject({ code: 'E_PATH_ESCAPE' });
    await expect(markBootStarted(m.root, 'i-1', null, now)).rejects.toMatchObject({ code: 'E_PATH_ESCAPE' });
  });

  it('reading the record changes nothing', async () => {
    await readBootRecord(m.root, 'i-1');
    expect(existsSync(join(m.root, 'var/lib/cloudlet'))).toBe(false);
  });
});
