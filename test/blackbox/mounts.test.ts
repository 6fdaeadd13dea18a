// Blackbox: persistent volumes on real loop devices, tmpfs volatile paths and the never-format rule.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage, runAgent, runInNamespace, tempDir } from './harness';
import { fsLabel, fsUuid, makeLoop, mountsUnder, sha256, sh, writeJson, type Loop } from './mounts-support';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function loop(mib = 64): Loop {
  const l = makeLoop(mib);
  cleanups.push(() => l.detach());
  return l;
}

function image(manifest: Record<string, unknown>, tree: Parameters<typeof makeImage>[1] = {}): string {
  const { root, cleanup } = makeImage({ cloudlet: '0.0.4', name: 'mounts-test', platforms: [], entrypoints: { init: {} }, ...manifest }, tree);
  cleanups.push(cleanup);
  return root;
}

function scratch(): string {
  const { dir, cleanup } = tempDir('cloudlet-scratch-');
  cleanups.push(cleanup);
  return dir;
}

/** Runs the agent (and `after`, a shell snippet) in one private mount namespace, like one boot. */
function boot(root: string, userData: unknown, after = '', manifestOverride?: string) {
  const dir = scratch();
  const ud = writeJson(join(dir, 'ud.json'), userData);
  const script = [
    `set +e; $AGENT run --root ${root} --user-data ${ud} --run-dir ${dir}/run; echo "exit=$?"; set -e`,
    `echo '--- mountinfo'; cat /proc/self/mountinfo; echo '--- after'`,
    after,
  ].join('\n');
  const r = runInNamespace(script, manifestOverride ? { env: { MANIFEST: manifestOverride } } : {});
  const [agentPart = '', rest = ''] = r.stdout.split('--- mountinfo\n');
  const [mountinfo = '', afterOut = ''] = rest.split('--- after\n');
  const exit = Number(/exit=(\d+)/.exec(agentPart)?.[1] ?? NaN);
  return { exit, agent: agentPart + r.stderr, mounts: mountsUnder(mountinfo, root), after: afterOut, raw: r };
}

const PERSISTENT = {
  persistent: ['/var/lib/app'],
  storage: { device: 'LABEL=cl-bb-data', fstype: 'ext4', format: 'if-blank' },
};

describe('persistent storage on a real loop device', () => {
  it('formats a blank disk once, seeds it from the image, and on the next boot finds it by label, keeping its data and not re-seeding', () => {
    const disk = loop();
    const root = image(PERSISTENT, {
      '/var/lib/app/seed.txt': 'from the image\n',
      '/var/lib/app/run.sh': { content: '#!/bin/sh\n', mode: 0o750 },
      '/var/lib/app/link': { symlink: 'seed.txt' },
    });

    const first = boot(root, { storage: { device: disk.device } }, `echo written-on-boot-1 > ${root}/var/lib/app/state.txt; stat -c '%a %N' ${root}/var/lib/app/run.sh ${root}/var/lib/app/link`);
    expect(first.exit, first.agent).toBe(0);
    expect(first.mounts).toContain("ext4 /.cloudlet/storage / rw");
    expect(first.mounts.some((m) => m.startsWith('ext4 /var/lib/app /var/lib/app '))).toBe(true);
    expect(first.after).toMatch(/^750 /m);
    expect(first.after).toContain("-> 'seed.txt'");
    const uuid = fsUuid(disk.device);
    expect(uuid).not.toBe('');
    expect(fsLabel(disk.device)).toBe('cl-bb-data');
    // Outside the namespace the image is untouched: the state went to the volume.
    expect(() => readFileSync(join(root, 'var/lib/app/state.txt'))).toThrow();

    // The image's copy changes; the volume already has the path, so it must not be seeded again.
    writeFileSync(join(root, 'var/lib/app/seed.txt'), 'changed in the image\n');
    const second = boot(root, {}, `cat ${root}/var/lib/app/state.txt ${root}/var/lib/app/seed.txt`);
    expect(second.exit, second.agent).toBe(0);
    expect(second.after).toBe('written-on-boot-1\nfrom the image\n');
    expect(fsUuid(disk.device)).toBe(uuid);
  });

  it('changes nothing when run twice in the same boot', () => {
    const disk = loop();
    const root = image({ ...PERSISTENT, volatile: [{ path: '/var/cache/app', size: '4M' }] }, { '/var/cache/app/x': 'x' });
    const ud = { storage: { device: disk.device } };
    const dir = scratch();
    const udFile = writeJson(join(dir, 'ud.json'), ud);
    const run = `$AGENT run --root ${root} --user-data ${udFile} --run-dir ${dir}/run`;
    const r = runInNamespace(`${run} >/dev/null 2>&1; ${run} --dry-run; ${run}; echo '--- mountinfo'; cat /proc/self/mountinfo`);
    expect(r.code, r.stderr).toBe(0);
    const [out = '', mountinfo = ''] = r.stdout.split('--- mountinfo\n');
    expect(out).toContain('skip /.cloudlet/storage: already mounted (ext4)');
    expect(out).toContain('skip /var/lib/app: already bound from the volume');
    expect(out).toContain('skip /var/cache/app: tmpfs already mounted');
    expect(out).not.toMatch(/mkfs|seed \//);
    expect(mountsUnder(mountinfo, root)).toHaveLength(3);
  });
});

describe('a device that holds anything is never formatted', () => {
  it('refuses a disk with data but no filesystem signature, and leaves every byte as it was', () => {
    const disk = loop(16);
    // Data 1 MiB in: no signature anywhere a probe looks, but not blank.
    sh('dd', ['if=/dev/urandom', `of=${disk.device}`, 'bs=4096', 'count=16', 'seek=256', 'conv=notrunc,fsync', 'status=none']);
    const before = sha256(disk.file);
    const root = image({ ...PERSISTENT, storage: { device: disk.device, format: 'if-blank' } }, { '/var/lib/app/a': 'a' });
    const r = boot(root, {});
    expect(r.exit).toBe(1);
    expect(r.agent).toContain('E_STORAGE');
    expect(r.agent).toContain('holds data (its first 4 MiB or its last MiB are not all zero); it is never formatted');
    expect(r.mounts).toEqual([]);
    expect(sha256(disk.file)).toBe(before);
  });

  it('refuses a disk whose only data is in its last MiB (a GPT backup header), and leaves every byte as it was', () => {
    const disk = loop(16);
    sh('sh', ['-c', `echo 'label: gpt' | sfdisk -q ${disk.device}`]);
    // The primary table and all of the first 4 MiB wiped: only the backup table at the end is left.
    sh('dd', ['if=/dev/zero', `of=${disk.device}`, 'bs=1M', 'count=4', 'conv=notrunc,fsync', 'status=none']);
    const before = sha256(disk.file);
    const root = image({ ...PERSISTENT, storage: { device: disk.device, format: 'if-blank' } }, { '/var/lib/app/a': 'a' });
    const r = boot(root, {});
    expect(r.exit, r.agent).toBe(1);
    expect(r.agent).toContain('its last MiB are not all zero); it is never formatted');
    expect(sha256(disk.file)).toBe(before);
  });

  it('refuses a disk with only a partition table, and with onError "continue" boots on degraded', () => {
    const disk = loop(16);
    sh('sh', ['-c', `echo 'label: dos' | sfdisk -q ${disk.device} && echo ',,L' | sfdisk -q --append ${disk.device}`]);
    const before = sha256(disk.file);
    const root = image({ ...PERSISTENT, onError: 'continue', volatile: ['/tmp'], storage: { device: disk.device, format: 'if-blank' } }, { '/var/lib/app/a': 'a', '/tmp': { dir: true } });
    const r = boot(root, {});
    expect(r.exit, r.agent).toBe(4);
    expect(r.agent).toMatch(/dos signature and no filesystem; it is never formatted/);
    expect(r.mounts.map((m) => m.split(' ').slice(0, 2).join(' '))).toEqual(['tmpfs /tmp']);
    expect(sha256(disk.file)).toBe(before);
  });

  it('never reformats a filesystem of another type than the manifest asks for', () => {
    const disk = loop(16);
    sh('mkfs.ext4', ['-q', '-L', 'other', disk.device]);
    const uuid = fsUuid(disk.device);
    const root = image({ ...PERSISTENT, storage: { device: disk.device, fstype: 'xfs', format: 'if-blank' } });
    const r = boot(root, {});
    expect(r.exit).toBe(1);
    expect(r.agent).toContain('holds a ext4 filesystem, but storage.fstype is xfs');
    expect(fsUuid(disk.device)).toBe(uuid);
  });

  it('fails clearly when the volume is missing and onError is the default', () => {
    const root = image({ ...PERSISTENT, storage: { device: 'LABEL=cl-bb-no-such-volume' } }, { '/var/lib/app/a': 'a' });
    const r = boot(root, {});
    expect(r.exit).toBe(1);
    expect(r.agent).toContain('no block device matches LABEL=cl-bb-no-such-volume');
    expect(r.mounts).toEqual([]);
  });
});

describe('volatile paths', () => {
  it('mounts a tmpfs with the size and mode asked for, showing the image\'s files, parent before child', () => {
    const root = image(
      { volatile: [{ path: '/var/cache/app/sub', size: '2M' }, { path: '/var/cache/app', size: '8M', mode: '0750' }] },
      { '/var/cache/app/from-image.txt': 'kept\n', '/var/cache/app/sub/inner.txt': 'inner\n' },
    );
    const r = boot(root, {}, `cat ${root}/var/cache/app/from-image.txt ${root}/var/cache/app/sub/inner.txt; stat -c %a ${root}/var/cache/app; echo scratch > ${root}/var/cache/app/new.txt`);
    expect(r.exit, r.agent).toBe(0);
    expect(r.mounts).toEqual(['tmpfs /var/cache/app / rw,size=8192k,mode=750', 'tmpfs /var/cache/app/sub / rw,size=2048k,mode=755']);
    expect(r.after).toBe('kept\ninner\n750\n');
    // Written to the tmpfs, gone with the boot: the image never saw it.
    expect(() => readFileSync(join(root, 'var/cache/app/new.txt'))).toThrow();
  });
});

describe('read-only root', () => {
  it('mounts the volume under the run directory when the image has no /.cloudlet/storage to mount on, and still binds and seeds', () => {
    const disk = loop();
    const root = image({ ...PERSISTENT, volatile: ['/tmp'] }, { '/var/lib/app/seed.txt': 'from the image\n', '/tmp': { dir: true }, '/var/lib/cloudlet': { dir: true } });
    const dir = scratch();
    const ud = writeJson(join(dir, 'ud.json'), { storage: { device: disk.device } });
    const run = `$AGENT run --root ${root} --user-data ${ud} --run-dir ${dir}/run`;
    // /var/lib/cloudlet (boot state of the user-data step) stays writable: only the mounts are under test.
    const r = runInNamespace(`mount --bind ${root} ${root}; mount -o remount,bind,ro ${root}; mount -t tmpfs tmpfs ${root}/var/lib/cloudlet
${run}; ${run}; cat ${root}/var/lib/app/seed.txt; echo '--- mountinfo'; cat /proc/self/mountinfo`);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [out = '', mountinfo = ''] = r.stdout.split('--- mountinfo\n');
    expect(out).toContain('from the image');
    // After the read-only bind of the root itself, each mount once although the agent ran twice.
    const mounts = mountsUnder(mountinfo, root).slice(1).map((m) => m.split(' ').slice(0, 3).join(' '));
    expect(mounts).toEqual(['tmpfs /var/lib/cloudlet /', 'tmpfs /tmp /', 'ext4 /var/lib/app /var/lib/app']);
    expect(mountsUnder(mountinfo, `${dir}/run`).map((m) => m.split(' ').slice(0, 2).join(' '))).toContain('ext4 /cloudlet/storage');
  });
});

describe('a dry run stops where the run would', () => {
  const NO_DEVICE = { persistent: ['/var/lib/app'] };

  it('fails with E_STORAGE and the run\'s exit code when persistent paths have no storage device', () => {
    const root = image(NO_DEVICE, { '/var/lib/app/a': 'a' });
    const dir = scratch();
    const run = (extra: string[]) => runAgent(['run', '--root', root, '--run-dir', join(dir, 'run'), ...extra]);
    const real = run([]);
    const dry = run(['--dry-run']);
    expect(real.code, real.stderr).toBe(1);
    expect(real.stderr).toContain('E_STORAGE');
    expect(dry.code, dry.stdout + dry.stderr).toBe(real.code);
    const firstLine = (text: string) => text.split('\n').find((l) => l.includes('E_STORAGE'));
    expect(firstLine(dry.stderr)).toBe(firstLine(real.stderr));
    expect(dry.stdout).not.toContain('storage unusable');
  });

  it('plans a degraded boot with onError "continue", as the run then boots', () => {
    const root = image({ ...NO_DEVICE, onError: 'continue' }, { '/var/lib/app/a': 'a' });
    const dir = scratch();
    const dry = runAgent(['run', '--root', root, '--run-dir', join(dir, 'run'), '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('not persistent this boot: /var/lib/app');
  });
});

