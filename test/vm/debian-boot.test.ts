// Boots Debian bookworm (systemd, Debian's initramfs, the agent's .deb) twice with one persistent disk and checks that
// data survives, templates follow the new user data, nothing is reformatted, and status/analyze report the boot.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startImds } from './imds-emulator';
import { BOOT_TOKEN, bootDebian, debianUserData, expectNoSecret, guestMs, SECRET, SEED_TOKEN, seedIso, statusOf, writeDebianTree } from './debian-fixture';
import { diskContains, ext4Uuid, makeBlankDisk, makeNocloudIso } from './disks';
import { recordFigure, writeFigures } from './figures';
import { block, markers, requireQemu, type VmResult } from './qemu';
import { agentDeb, debianBase, debianLayer, kernelVersion, type DebianImage } from './setup-run';

let work: string;
let baseline: DebianImage;
let withAgent: DebianImage;
let failingRoot: string;
let ec2Root: string;
let baseInitrd: string;
let data: string;
const boots: Record<string, Record<string, number | undefined>> = {};

/** Boot-time figures of one boot: kernel start to multi-user and to systemd (= end of the initramfs), the agent's own run, QEMU wall time. */
function recordBoot(name: string, boot: VmResult, status?: Record<string, any>): void {
  boots[name] = {
    multiUserMs: guestMs(boot.console, 'multi-user'),
    initramfsDoneMs: guestMs(boot.console, 'userspace'),
    agentRunMs: typeof status?.durationMs === 'number' ? Math.round(status.durationMs) : undefined,
    qemuWallMs: boot.durationMs,
  };
}

/** A copy of the agent image's root as built, for a boot that must not see boot 1's writes. */
function pristineCopy(name: string): string {
  const file = join(work, name);
  const cp = spawnSync('cp', ['--sparse=always', withAgent.rootImg, file]);
  if (cp.status !== 0) throw new Error(`cp ${withAgent.rootImg} ${file} failed`);
  return file;
}

beforeAll(() => {
  requireQemu();
  baseInitrd = debianBase().initrd;
  const deb = agentDeb();
  work = mkdtempSync(join(tmpdir(), 'cloudlet-vm-debian-'));
  const plainTree = join(work, 'tree-plain');
  writeDebianTree(plainTree, false);
  baseline = debianLayer(join(work, 'baseline'), { tree: plainTree });
  const agentTree = join(work, 'tree-agent');
  writeDebianTree(agentTree, true);
  withAgent = debianLayer(join(work, 'agent'), { deb, tree: agentTree });
  // A pristine copy for the failing boot, taken before boot 1 writes to the root.
  failingRoot = pristineCopy('failing-root.img');
  ec2Root = pristineCopy('ec2-root.img');
  data = join(work, 'data.img');
  makeBlankDisk(data, 256);
});

afterAll(() => {
  recordFigure('kernel', kernelVersion());
  recordFigure('initrdBytes', {
    withoutAgent: statSync(baseInitrd).size,
    withAgent: withAgent ? statSync(withAgent.initrd).size : undefined,
    delta: withAgent ? statSync(withAgent.initrd).size - statSync(baseInitrd).size : undefined,
  });
  recordFigure('boots', boots);
  writeFigures();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Debian bookworm with the agent .deb (QEMU TCG, Debian initramfs)', () => {
  it('without the agent: the same image reaches multi-user (baseline for the boot-time figures)', async () => {
    const boot = await bootDebian('debian-baseline', baseline, []);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expect(boot.console).toContain('VMTEST-DONE');
    recordBoot('withoutAgent', boot);
    expect(guestMs(boot.console, 'multi-user'), `no multi-user time on the console: ${boot.logFile}`).toBeGreaterThan(0);
  });

  it('boot 1, blank persistent disk: formatted once, seeded, template rendered, status done with platform and timings, analyze draws the boot', async () => {
    const boot = await bootDebian('debian-boot1', withAgent, [{ file: seedIso(work, 'boot1', 'one'), readonly: true }, { file: data }]);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expect(boot.console, `the report unit did not finish: ${boot.logFile}`).toContain('VMTEST-DONE');

    expect(markers(boot.console, 'VMTEST file /etc/app/app.conf:')).toEqual(['greeting=one', 'platform=nocloud', 'instance=iid-vmtest-debian']);
    expect(markers(boot.console, 'VMTEST file /var/lib/app/seed.txt:')).toEqual([SEED_TOKEN]);
    expect(markers(boot.console, 'VMTEST missing')).toContain('/var/lib/app/boots.txt');
    const mounts = markers(boot.console, 'VMTEST mount:');
    expect(mounts).toContainEqual(expect.stringMatching(/^\/dev\/vdc \/var\/lib\/app ext4 /));
    // The initramfs mounted the root "ro": the agent wrote the template to the disk, not over a bind from /run.
    expect(mounts.filter((m) => m.split(' ')[1] === '/etc/app/app.conf'), `app.conf is a mount: ${boot.logFile}`).toEqual([]);
    expect(mounts).toContainEqual(expect.stringMatching(/^\/dev\/vda \/ ext4 rw,/));
    expect(mounts).toContainEqual(expect.stringMatching(/^tmpfs \/var\/cache\/app tmpfs .*size=16384k/));
    expect(markers(boot.console, 'VMTEST file /var/cache/app/keep.txt:')).toEqual(['image content under a volatile path']);

    // The hook ran the agent, so the unit for images without a hook found this boot's status and did not run again.
    expect(markers(boot.console, 'VMTEST unit-condition')).toEqual(['no']);

    const status = statusOf(boot.console, boot.logFile);
    recordBoot('withAgentFirstBoot', boot, status);
    expect(status.state).toBe('done');
    expect(status.platform).toBe('nocloud');
    expect(status.instanceId).toBe('iid-vmtest-debian');
    expect(status.steps.length).toBeGreaterThan(0);
    for (const step of status.steps) expect(step.durationMs, `step ${step.name} has no duration`).toEqual(expect.any(Number));
    expect(boot.console).toMatch(/VMTEST-STATUS-END rc=0/);

    const svg = Buffer.from((block(boot.console, 'VMTEST-SVG') ?? '').replace(/\s+/g, ''), 'base64').toString('utf8');
    expect(svg, `no SVG on the console: ${boot.logFile}`).toMatch(/^(<\?xml[^>]*>\s*)?<svg[\s>]/);
    expect(wellFormedXml(svg)).toBe('');
    for (const step of status.steps) expect(svg, `step ${step.name} missing from the timeline`).toContain(step.name);

    expect(ext4Uuid(data)).toMatch(/^[0-9a-f-]{36}$/);
    expect(markers(boot.console, 'VMTEST data-uuid')).toEqual([ext4Uuid(data)]);
    expect(diskContains(data, SEED_TOKEN), 'the seed is not on the persistent disk').toBe(true);
    expectNoSecret(boot.console);
    firstUuid = ext4Uuid(data);
  });

  it('boot 2, same persistent disk, changed user data: boot-1 data still there, template re-rendered, no reformat', async () => {
    expect(firstUuid, 'boot 1 did not run').toBeDefined();
    const boot = await bootDebian('debian-boot2', withAgent, [{ file: seedIso(work, 'boot2', 'two'), readonly: true }, { file: data }]);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expect(boot.console, `the report unit did not finish: ${boot.logFile}`).toContain('VMTEST-DONE');

    expect(markers(boot.console, 'VMTEST file /etc/app/app.conf:')).toEqual(['greeting=two', 'platform=nocloud', 'instance=iid-vmtest-debian']);
    expect(markers(boot.console, 'VMTEST file /var/lib/app/boots.txt:')).toEqual([BOOT_TOKEN]);
    expect(markers(boot.console, 'VMTEST file /var/lib/app/first-uuid:')).toEqual([firstUuid]);
    expect(markers(boot.console, 'VMTEST data-uuid')).toEqual([firstUuid]);
    expect(ext4Uuid(data)).toBe(firstUuid);
    const status = statusOf(boot.console, boot.logFile);
    recordBoot('withAgentSecondBoot', boot, status);
    expect(status.state).toBe('done');
    expect(status.firstBoot).toBe(false);
    expectNoSecret(boot.console);
  });

  it('invalid user data with onError "continue": the machine boots, status --json reports degraded with the error code, nothing rendered', async () => {
    const iso = join(work, 'bad.iso');
    makeNocloudIso(iso, JSON.stringify({ config: { greeting: 42, db_password: SECRET } }), 'instance-id: iid-vmtest-debian-bad\n');
    const blank = join(work, 'data-bad.img');
    makeBlankDisk(blank, 64);
    const boot = await bootDebian('debian-failing', { ...withAgent, rootImg: failingRoot }, [{ file: iso, readonly: true }, { file: blank }]);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    const status = statusOf(boot.console, boot.logFile);
    expect(status.error?.code).toMatch(/^E_(CONFIG|USERDATA)_INVALID$/);
    // design.md: "continue" boots anyway with status degraded (the busybox tier checks "error" under onError "shell").
    expect(status.state).toBe('degraded');
    expect(boot.console).toMatch(/VMTEST-STATUS-END rc=4/);
    expect(boot.console).toMatch(new RegExp(`error ${status.error.code}`));
    // The template is left as the image had it: the pristine EJS source.
    expect(markers(boot.console, 'VMTEST file /etc/app/app.conf:')[0]).toBe('greeting=<%= config.greeting %>');
    expect(diskContains(blank, SEED_TOKEN), 'a failing boot must not seed the persistent disk').toBe(false);
    expectNoSecret(boot.console);
  });

  it('ec2 through the initramfs hook: ip=dhcp brings the network up before the agent, IMDSv2 user data is rendered', async () => {
    const imds = await startImds({
      '/latest/user-data': debianUserData('from-ec2'),
      '/latest/meta-data/instance-id': 'i-0debian000000001',
      '/latest/meta-data/placement/region': 'vmtest-west-2',
      '/latest/meta-data/local-hostname': 'vmtest-debian-ec2',
    });
    try {
      const blank = join(work, 'data-ec2.img');
      makeBlankDisk(blank, 64);
      // No seed ISO: vdb is the data disk here, so the manifest's /dev/vdc is absent; an empty vdb keeps the order.
      const filler = join(work, 'filler.img');
      makeBlankDisk(filler, 1);
      const boot = await bootDebian('debian-ec2', { ...withAgent, rootImg: ec2Root }, [{ file: filler, readonly: true }, { file: blank }], {
        metadataPort: imds.port,
        append: 'ip=dhcp',
      });
      expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
      expect(boot.console, `the report unit did not finish: ${boot.logFile}`).toContain('VMTEST-DONE');
      expect(markers(boot.console, 'VMTEST file /etc/app/app.conf:')).toEqual(['greeting=from-ec2', 'platform=ec2', 'instance=i-0debian000000001']);
      const status = statusOf(boot.console, boot.logFile);
      expect(status.state).toBe('done');
      expect(status.platform).toBe('ec2');
      expect(imds.requests.find((r) => r.method === 'PUT' && r.path === '/latest/api/token'), 'no IMDSv2 token request').toBeDefined();
      expect(imds.requests.filter((r) => r.method === 'GET' && !r.withToken), 'a GET without the token').toEqual([]);
      expectNoSecret(boot.console);
    } finally {
      await imds.close();
    }
  });
});

let firstUuid: string | undefined;

/** xmllint's complaint about `xml`, or '' when it is well-formed. */
function wellFormedXml(xml: string): string {
  const file = join(work, 'timeline.svg');
  mkdirSync(work, { recursive: true });
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });
  if (r.error) throw new Error('xmllint is missing: install test/vm/apt-packages.txt (libxml2-utils)');
  return r.stderr.trim();
}
