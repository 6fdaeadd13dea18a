// Boots Debian bookworm with dracut in place of initramfs-tools and the agent's .deb: the dracut module's pre-pivot
// hook runs the agent against /sysroot before systemd's switch-root, and what it mounted and rendered is the real root's.

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDebian, expectNoSecret, guestMs, MANIFEST, SECRET, SEED_TOKEN, seedIso, statusOf, writeDebianTree } from './debian-fixture';
import { diskContains, makeBlankDisk, makeNocloudIso } from './disks';
import { recordFigure, writeFigures } from './figures';
import { block, markers, requireQemu, type Drive } from './qemu';
import { agentDeb, debianBase, debianLayer, type DebianImage } from './setup-run';

let work: string;
let baseInitrd: string;
let image: DebianImage;
let halting: DebianImage;
let shelling: DebianImage;

beforeAll(() => {
  requireQemu();
  baseInitrd = debianBase('dracut').initrd;
  const deb = agentDeb();
  work = mkdtempSync(join(tmpdir(), 'cloudlet-vm-dracut-'));
  const tree = join(work, 'tree');
  writeDebianTree(tree, true);
  image = debianLayer(join(work, 'image'), { base: 'dracut', deb, tree });
  // The same image with the default policy: a failed run halts the boot in the initramfs.
  const haltTree = join(work, 'tree-halt');
  writeDebianTree(haltTree, true);
  writeFileSync(join(haltTree, '.cloudlet/manifest'), JSON.stringify({ ...MANIFEST, onError: 'halt' }, null, 2));
  halting = debianLayer(join(work, 'image-halt'), { base: 'dracut', deb, tree: haltTree });
  const shellTree = join(work, 'tree-shell');
  writeDebianTree(shellTree, true);
  writeFileSync(join(shellTree, '.cloudlet/manifest'), JSON.stringify({ ...MANIFEST, onError: 'shell' }, null, 2));
  shelling = debianLayer(join(work, 'image-shell'), { base: 'dracut', deb, tree: shellTree });
});

/** A seed ISO whose user data the config schema refuses, and a blank data disk that must stay blank. */
function badDisks(name: string): { drives: Drive[]; blank: string } {
  const iso = join(work, `${name}.iso`);
  makeNocloudIso(iso, JSON.stringify({ config: { greeting: 42, db_password: SECRET } }), `instance-id: iid-vmtest-${name}\n`);
  const blank = join(work, `${name}-data.img`);
  makeBlankDisk(blank, 64);
  return { drives: [{ file: iso, readonly: true }, { file: blank }], blank };
}

afterAll(() => {
  if (image) {
    recordFigure('dracutInitrdBytes', {
      withoutAgent: statSync(baseInitrd).size,
      withAgent: statSync(image.initrd).size,
      delta: statSync(image.initrd).size - statSync(baseInitrd).size,
    });
    writeFigures('figures-dracut.json');
  }
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Debian bookworm with dracut and the agent .deb (QEMU TCG)', () => {
  it('the pre-pivot hook runs the agent: blank disk formatted and seeded, template rendered, the systemd unit skips itself', async () => {
    const data = join(work, 'data.img');
    makeBlankDisk(data, 128);
    const boot = await bootDebian('dracut-boot', image, [{ file: seedIso(work, 'seed', 'from-dracut'), readonly: true }, { file: data }]);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expect(boot.console, `the report unit did not finish: ${boot.logFile}`).toContain('VMTEST-DONE');

    expect(markers(boot.console, 'VMTEST file /etc/app/app.conf:')).toEqual(['greeting=from-dracut', 'platform=nocloud', 'instance=iid-vmtest-debian']);
    expect(markers(boot.console, 'VMTEST file /var/lib/app/seed.txt:')).toEqual([SEED_TOKEN]);
    const mounts = markers(boot.console, 'VMTEST mount:');
    // Mounted from the initramfs under /sysroot, they came along through switch-root.
    expect(mounts).toContainEqual(expect.stringMatching(/^\/dev\/vdc \/var\/lib\/app ext4 /));
    expect(mounts).toContainEqual(expect.stringMatching(/^tmpfs \/var\/cache\/app tmpfs .*size=16384k/));
    // /sysroot was mounted "ro": the template went to the disk, not over a bind from /run.
    expect(mounts.filter((m) => m.split(' ')[1] === '/etc/app/app.conf'), `app.conf is a mount: ${boot.logFile}`).toEqual([]);
    expect(diskContains(data, SEED_TOKEN), 'the seed is not on the persistent disk').toBe(true);
    // The hook ran first, so the unit for images without a hook found this boot's status and did not run again.
    expect(markers(boot.console, 'VMTEST unit-condition')).toEqual(['no']);

    const status = statusOf(boot.console, boot.logFile);
    expect(status.state).toBe('done');
    expect(status.platform).toBe('nocloud');
    expect(boot.console).toMatch(/VMTEST-STATUS-END rc=0/);
    recordFigure('dracutBoot', {
      multiUserMs: guestMs(boot.console, 'multi-user'),
      initramfsDoneMs: guestMs(boot.console, 'userspace'),
      agentRunMs: typeof status.durationMs === 'number' ? Math.round(status.durationMs) : undefined,
      qemuWallMs: boot.durationMs,
    });
    expectNoSecret(boot.console);
  });

  it('invalid user data with onError "halt": the error on the console, the boot stops in the initramfs, nothing formatted', async () => {
    const { drives, blank } = badDisks('halt');
    const boot = await bootDebian('dracut-halt', halting, drives, undefined, {
      stopWhen: /boot halted/,
      stopGraceMs: 3000,
      timeoutMs: 150_000,
    });
    expect(boot.stoppedOnMatch, `the console never said the boot halted: ${boot.logFile}`).toBe(true);
    expect(boot.console).toMatch(/error E_(CONFIG|USERDATA)_INVALID/);
    expect(boot.console).toMatch(/cloudlet-agent failed \(exit 2\): boot halted \(onError "halt"\)/);
    // The real root's systemd never started, and the blank disk stays blank.
    expect(boot.console).not.toContain('VMTEST report-start');
    expect(diskContains(blank, SEED_TOKEN)).toBe(false);
    expect(boot.console).not.toContain(SECRET);
  });

  it('invalid user data with onError "shell": the error, then dracut\'s emergency shell on the console, where status.json says error', async () => {
    const { drives, blank } = badDisks('shell');
    const boot = await bootDebian('dracut-shell', shelling, drives, undefined, {
      // What an operator at the console types; the tty echoes it, so markers are split by quotes.
      type: [
        // sulogin (root is locked in the image: no password asked) flushes what was typed before its prompt.
        { when: /press Control-D to continue\): $/, text: '\n', delayMs: 1000 },
        // The root shell's prompt (bash's, sh-5.2#, after a bracketed-paste escape).
        { when: /# $/, text: "echo 'VMTEST''-STATUS-BEGIN'; cat /run/cloudlet/status.json; echo; echo 'VMTEST''-STATUS-END'; poweroff -f\n" },
      ],
      timeoutMs: 150_000,
    });
    expect(boot.timedOut, `no emergency shell answered on the console: ${boot.logFile}`).toBe(false);
    expect(boot.console).toMatch(/\nVMTEST-STATUS-END\n/);
    expect(boot.console).toMatch(/error E_(CONFIG|USERDATA)_INVALID/);
    const status = JSON.parse(block(boot.console, 'VMTEST-STATUS') ?? 'null') as Record<string, any> | null;
    expect(status?.state).toBe('error');
    expect(status?.error?.code).toMatch(/^E_(CONFIG|USERDATA)_INVALID$/);
    expect(boot.console).not.toContain('VMTEST report-start');
    expect(diskContains(blank, SEED_TOKEN)).toBe(false);
    expect(boot.console).not.toContain(SECRET);
  });
});
