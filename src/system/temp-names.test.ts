// Temp names carry the writer's boot and pid; a temp file is stale only when its writer is surely gone.

import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentBoot, isStaleTemp, tempPath, tempWriter, type Now } from './temp-names';

const BOOT = 'a1b2c3d4e5f6';
const OTHER_BOOT = '0f0e0d0c0b0a';
const LIVE = new Set([1, 300, 4242]);
const now: Now = { boot: BOOT, pid: 4242, alive: (pid) => LIVE.has(pid) };

describe('tempPath', () => {
  it("names this boot and this pid, beside the target, and tempWriter reads them back", () => {
    const path = tempPath('/img/etc/app.conf');
    expect(path.startsWith('/img/etc/.app.conf.cloudlet-')).toBe(true);
    expect(tempWriter(basename(path))).toEqual({ boot: currentBoot(), pid: process.pid });
    expect(currentBoot()).toMatch(/^[0-9a-f]{12}$/);
  });

  it('keeps a temp name within NAME_MAX for the longest file names', () => {
    const name = basename(tempPath(`/d/${'x'.repeat(255)}`));
    expect(name.length).toBeLessThanOrEqual(255);
    expect(tempWriter(name)?.pid).toBe(process.pid);
  });
});

describe('isStaleTemp', () => {
  const temp = (boot: string, pid: number, base = 'app.conf') => `.${base}.cloudlet-${boot}-${pid}-k2j4h5`;

  it('counts any writer of an earlier boot as gone, pid 1 included (PID 1 mode repeats pids every boot)', () => {
    expect(isStaleTemp(temp(OTHER_BOOT, 1), now)).toBe(true);
    expect(isStaleTemp(temp(OTHER_BOOT, 4242), now)).toBe(true);
  });

  it('in this boot, counts a writer as gone only when no process has its pid', () => {
    expect(isStaleTemp(temp(BOOT, 977), now)).toBe(true);
    expect(isStaleTemp(temp(BOOT, 300), now)).toBe(false);
    expect(isStaleTemp(temp(BOOT, 4242), now)).toBe(false);
  });

  it('judges a writer whose boot was not known (no /proc) by its pid alone, as it would a writer of this boot', () => {
    expect(isStaleTemp(temp('unknownboot0', 977), now)).toBe(true);
    expect(isStaleTemp(temp('unknownboot0', 300), now)).toBe(false);
    expect(isStaleTemp(temp(OTHER_BOOT, 300), { ...now, boot: undefined })).toBe(false);
  });

  it('leaves every other file alone, whatever it looks like', () => {
    for (const name of ['app.conf', '.app.conf.swp', 'app.conf.cloudlet-a1b2c3d4e5f6-977-x', '.app.conf.cloudlet-977-k2j4h5', `.app.conf.cloudlet-${OTHER_BOOT}-0-x`, `.app.conf.cloudlet-${OTHER_BOOT}-977-`, `.a.cloudlet-${OTHER_BOOT.toUpperCase()}-977-x`]) {
      expect(isStaleTemp(name, now), name).toBe(false);
    }
  });

  it('reads a name that itself holds ".cloudlet-" and newlines', () => {
    expect(isStaleTemp(temp(OTHER_BOOT, 5, 'x.cloudlet-1\nb'), now)).toBe(true);
  });
});
