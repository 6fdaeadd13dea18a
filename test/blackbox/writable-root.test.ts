// Blackbox: a root filesystem mounted read-only for the early boot is written in place when its fstab mounts "/" rw.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage, runInNamespace, tempDir, type AgentRun } from './harness';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'rootfs',
  platforms: [],
  config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'hello' } } } },
  templates: ['/etc/motd'],
  entrypoints: { init: {} },
};

/**
 * An ext4 filesystem holding the image (with `fstab` as its /etc/fstab), loop-mounted read-only as
 * the kernel's "ro" leaves a root; the agent runs on it, then the script reports what it left.
 */
function bootReadOnly(fstab: string, device: 'rw' | 'ro' = 'rw'): AgentRun {
  const img = makeImage(MANIFEST, { '/etc/motd': 'greeting=<%= config.greeting %>\n', '/etc/fstab': fstab, '/var/lib/.keep': '' });
  const tmp = tempDir('cloudlet-rootfs-');
  cleanups.push(img.cleanup, tmp.cleanup);
  const ud = join(tmp.dir, 'ud.json');
  writeFileSync(ud, JSON.stringify({ config: { greeting: 'on disk' } }));
  return runInNamespace(
    `mkfs.ext4 -q -F -d "$TREE" "$DISK" 64M >/dev/null
     mkdir "$MNT"
     dev=$(losetup -f --show $LOOP_FLAGS "$DISK")
     trap 'umount -R "$MNT" 2>/dev/null; losetup -d "$dev"' EXIT
     mount -o ro "$dev" "$MNT"
     $AGENT run --root "$MNT" --user-data "$UD" --run-dir "$RUN"
     echo "root-options=$(findmnt -n -o OPTIONS --mountpoint "$MNT" | cut -d, -f1)"
     echo "motd-mounts=$(findmnt -n -o FSTYPE --mountpoint "$MNT/etc/motd" | wc -l)"
     umount -R "$MNT"
     mount -o ro "$dev" "$MNT"
     echo "on-disk=$(cat "$MNT/etc/motd")"
     echo "record=$(ls "$MNT/var/lib/cloudlet" 2>/dev/null | tr '\\n' ' ')"`,
    { env: { TREE: img.root, DISK: join(tmp.dir, 'root.img'), MNT: join(tmp.dir, 'mnt'), UD: ud, RUN: join(tmp.dir, 'run'), LOOP_FLAGS: device === 'ro' ? '--read-only' : '' } },
  );
}

describe('a root mounted read-only for now', () => {
  it('its fstab mounts / rw: written in place for the run (templates and the boot record on the disk), read-only again after', () => {
    const r = bootReadOnly('UUID=0000 / ext4 errors=remount-ro 0 1\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('root-options=ro\n');
    expect(r.stdout).toContain('motd-mounts=0\n');
    expect(r.stdout).toContain('on-disk=greeting=on disk\n');
    expect(r.stdout).toMatch(/^record=\S+/m);
    expect(r.stderr).not.toMatch(/read-only|not recorded/);
  });

  it('its fstab mounts / ro: it stays read-only, templates are bound from the run directory and the disk keeps the image\'s', () => {
    const r = bootReadOnly('UUID=0000 / ext4 ro,noatime 0 1\n');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('root-options=ro\n');
    expect(r.stdout).toContain('motd-mounts=1\n');
    expect(r.stdout).toContain('on-disk=greeting=<%= config.greeting %>\n');
    expect(r.stdout).toContain('record=\n');
    expect(r.stderr).toMatch(/not recorded: \/var\/lib\/cloudlet is read-only/);
  });

  it('on a read-only device the remount is refused: the run goes on as on a read-only root and says so', () => {
    const r = bootReadOnly('UUID=0000 / ext4 defaults 0 1\n', 'ro');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/the root refused to be remounted rw and stays read-only/);
    expect(r.stdout).toContain('motd-mounts=1\n');
    expect(r.stdout).toContain('on-disk=greeting=<%= config.greeting %>\n');
  });
});
