// Blackbox: the agent as PID 1 (in a PID namespace) and the initramfs-tools script in a stand-in initramfs.

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runInNamespace, writeTree } from './harness';
import { bootImage, repoFile, type BootImage } from './mounts-boot-support';
import { mountsUnder } from './mounts-support';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

const INIT = `#!/bin/sh
echo "real init ran: $0 $*"
cat /var/cache/app/from-image.txt
echo '--- mountinfo'
cat /proc/self/mountinfo
echo '--- status'
cat /run/cloudlet/status.json
`;

function image(extra: Record<string, unknown> = {}): BootImage {
  const img = bootImage(
    {
      cloudlet: '0.0.4',
      name: 'boot-test',
      platforms: [],
      volatile: [{ path: '/var/cache/app', size: '4M' }],
      entrypoints: { init: { path: '/sbin/init' } },
      ...extra,
    },
    { '/sbin/init': { content: INIT, mode: 0o755 }, '/var/cache/app/from-image.txt': 'image content visible\n' },
  );
  cleanups.push(img.cleanup);
  return img;
}

const UNMET = { entrypoints: { init: { path: '/sbin/init', requires: { arch: ['s390x'] } } } };

/** Boots the image with the agent as PID 1 of a new PID namespace; `limit` seconds at most. */
function bootPid1(img: BootImage, limit = 60) {
  const r = runInNamespace(`${img.agentSetup}
set +e
timeout -s KILL ${limit} unshare -p -f --kill-child chroot ${img.root} /usr/lib/cloudlet/cloudlet-agent single -s 2>&1
echo "exit=$?"`);
  const [before = '', after = ''] = r.stdout.split('--- mountinfo\n');
  const [mountinfo = '', statusAndExit = ''] = after.split('--- status\n');
  const status = statusAndExit.split(/\nexit=/)[0] ?? '';
  return { out: r.stdout + r.stderr, before, mounts: mountsUnder(mountinfo, ''), status, exit: Number(/exit=(\d+)/.exec(r.stdout)?.[1]) };
}

describe('PID 1 mode (init=/usr/sbin/cloudlet-agent)', () => {
  it('mounts /proc, /sys, /dev, /run, runs the pipeline, then execs the real init with the kernel\'s arguments', () => {
    const r = bootPid1(image());
    expect(r.before, r.out).toContain('real init ran: /sbin/init single -s');
    expect(r.before).toContain('image content visible');
    const types = r.mounts.map((m) => m.split(' ').slice(0, 2).join(' '));
    expect(types).toEqual(expect.arrayContaining(['proc /proc', 'sysfs /sys', 'devtmpfs /dev', 'tmpfs /run', 'tmpfs /var/cache/app']));
    expect(JSON.parse(r.status).state).toBe('done');
  });

  it('halts with the one clear error on the console when a requirement is unmet (onError "halt"), and never runs init', () => {
    const r = bootPid1(image(UNMET), 8);
    expect(r.exit).toBe(137);
    expect(r.out).toContain('E_REQUIREMENTS_UNMET');
    expect(r.out).toContain('boot halted');
    expect(r.out).not.toContain('real init ran');
  });

  it('boots the real init anyway with onError "continue", status degraded', () => {
    const r = bootPid1(image({ ...UNMET, onError: 'continue' }));
    expect(r.before, r.out).toContain('real init ran: /sbin/init single -s');
    expect(JSON.parse(r.status).state).toBe('degraded');
  });

  it('execs /bin/sh with onError "shell"', () => {
    const r = bootPid1(image({ ...UNMET, onError: 'shell' }));
    expect(r.out).toContain('onError is "shell": starting /bin/sh');
    expect(r.out).not.toContain('real init ran');
  });
});

const FUNCTIONS = `log_begin_msg() { echo "begin: $*"; }
log_end_msg() { echo "end"; }
log_warning_msg() { echo "warning: $*"; }
log_failure_msg() { echo "failure: $*"; }
panic() { echo "PANIC: $*"; exit 1; }
configure_networking() { echo "configure_networking for IP=$IP"; }
`;

const DRACUT_LIB = `getarg() { return 1; }
getargbool() { return 0; }
info() { echo "info: $*"; }
warn() { echo "warn: $*"; }
die() { echo "DIE: $*"; exit 1; }
emergency_shell() { echo "EMERGENCY SHELL: $*"; exit 1; }
`;

const RUN_LOCAL_BOTTOM = "rootmnt=/root; export rootmnt; exec /bin/sh /scripts/local-bottom/cloudlet-agent";
// dracut sources its hooks; NEWROOT is where the real root is mounted.
const RUN_PRE_PIVOT = "NEWROOT=/root; export NEWROOT; . /lib/dracut-lib.sh; . /pre-pivot/90-cloudlet-agent.sh; echo hook-returned";

/** Runs a repository boot script in a busybox stand-in for the initramfs, the image's root at /root. */
function initramfsBoot(img: BootImage, limit = 60, run = RUN_LOCAL_BOTTOM) {
  const initrd = bootImage({ cloudlet: '0.0.4', name: 'initrd', entrypoints: {} });
  cleanups.push(initrd.cleanup);
  writeTree(initrd.root, {
    '/scripts/functions': FUNCTIONS,
    '/scripts/local-bottom/cloudlet-agent': { content: repoFile('initramfs/initramfs-tools/scripts/local-bottom/cloudlet-agent'), mode: 0o755 },
    '/lib/dracut-lib.sh': DRACUT_LIB,
    '/pre-pivot/90-cloudlet-agent.sh': repoFile('initramfs/dracut/90cloudlet-agent/cloudlet-agent-pre-pivot.sh'),
    '/root': { dir: true },
  });
  const rd = initrd.root;
  // Like a Debian initramfs without busybox: klibc-utils brings no grep.
  rmSync(join(rd, 'usr/bin/grep'));
  const r = runInNamespace(`${img.agentSetup}
mount --rbind ${img.root} ${rd}/root
mount --bind /dev ${rd}/dev
mount -t proc proc ${rd}/proc
mount --bind /sys ${rd}/sys
mount -t tmpfs tmpfs ${rd}/run
set +e
timeout ${limit} chroot ${rd} /bin/sh -c '${run}' 2>&1
echo "exit=$?"
echo '--- mountinfo'
cat /proc/self/mountinfo
echo '--- status'
cat ${rd}/run/cloudlet/status.json`);
  const [before = '', after = ''] = r.stdout.split('--- mountinfo\n');
  const [mountinfo = '', status = ''] = after.split('--- status\n');
  return { out: r.stdout + r.stderr, before, mounts: mountsUnder(mountinfo, join(rd, 'root')), status, exit: Number(/exit=(\d+)/.exec(r.stdout)?.[1]) };
}

describe('initramfs-tools local-bottom script', () => {
  it('runs the agent from the root in a chroot, leaves its mounts on the root and removes its own binds', () => {
    const r = initramfsBoot(image());
    expect(r.exit, r.out).toBe(0);
    expect(r.before).toContain('begin: Running cloudlet-agent');
    const points = r.mounts.map((m) => m.split(' ')[1]);
    expect(points).toContain('/var/cache/app');
    for (const dir of ['/dev', '/proc', '/sys', '/run']) expect(points).not.toContain(dir);
    // The status went to the initramfs's /run, which moves into the root at switch_root.
    expect(JSON.parse(r.status).state).toBe('done');
  });

  it('brings the network up first only when the kernel command line has ip=', () => {
    const withIp = initramfsBoot(image(), 60, `IP=dhcp; export IP; ${RUN_LOCAL_BOTTOM}`);
    expect(withIp.exit, withIp.out).toBe(0);
    expect(withIp.before.indexOf('configure_networking for IP=dhcp')).toBeGreaterThanOrEqual(0);
    expect(withIp.before.indexOf('configure_networking')).toBeLessThan(withIp.before.indexOf('Running cloudlet-agent'));
    const without = initramfsBoot(image(), 60, `IP=off; export IP; ${RUN_LOCAL_BOTTOM}`);
    expect(without.before).not.toContain('configure_networking');
  });

  it('drops to the initramfs shell (panic) on failure when onError is "shell"', () => {
    const r = initramfsBoot(image({ ...UNMET, onError: 'shell' }));
    expect(r.out).toContain('E_REQUIREMENTS_UNMET');
    expect(r.out).toMatch(/PANIC: cloudlet-agent failed \(exit 3\)/);
    expect(r.exit).toBe(1);
  });

  it('stops the boot on failure with the default onError "halt"', () => {
    const r = initramfsBoot(image(UNMET), 8);
    expect(r.out).toContain('boot halted (onError "halt")');
    expect(r.exit).toBe(124);
  });
});

describe('dracut pre-pivot hook', () => {
  it('runs the agent against $NEWROOT in a chroot, removes its binds and returns to dracut', () => {
    const r = initramfsBoot(image(), 60, RUN_PRE_PIVOT);
    expect(r.exit, r.out).toBe(0);
    expect(r.before).toContain('info: Running cloudlet-agent');
    expect(r.before).toContain('hook-returned');
    const points = r.mounts.map((m) => m.split(' ')[1]);
    expect(points).toContain('/var/cache/app');
    for (const dir of ['/dev', '/proc', '/sys', '/run']) expect(points).not.toContain(dir);
  });

  it('opens the emergency shell on failure when onError is "shell"', () => {
    const r = initramfsBoot(image({ ...UNMET, onError: 'shell' }), 60, RUN_PRE_PIVOT);
    expect(r.out).toContain('E_REQUIREMENTS_UNMET');
    expect(r.out).toContain('EMERGENCY SHELL: -n cloudlet-agent');
    expect(r.out).not.toContain('hook-returned');
  });
});
