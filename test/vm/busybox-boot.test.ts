// Boots the busybox image under QEMU with the agent as init= and checks, on the serial console and the disks,
// that user data from each channel was rendered, mounts were made, and the real init ran (or, on bad input, did not).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskContains, makeExt4, makeNocloudIso } from './disks';
import { bootBusybox, IMAGE_FILES, manifest, SECRET, SEED_TOKEN, userData } from './busybox-fixture';
import { makeBusyboxImage } from './busybox-image';
import { startImds } from './imds-emulator';
import { block, bootVm, markers, requireQemu } from './qemu';
import { agentBinary, busyboxKit, type BusyboxKit } from './setup-run';

let kit: BusyboxKit;
let agent: string;
let work: string;

beforeAll(() => {
  requireQemu();
  kit = busyboxKit();
  agent = agentBinary();
  work = mkdtempSync(join(tmpdir(), 'cloudlet-vm-bb-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Console lines of the rendered app.conf, as "key=value". */
function rendered(consoleText: string): string[] {
  return markers(consoleText, 'VMTEST file /etc/app/app.conf:');
}

function expectRealInitRan(consoleText: string, logFile: string): void {
  expect(markers(consoleText, 'VMTEST init:'), `the real init never ran; console: ${logFile}`).toEqual([expect.stringMatching(/^pid=1 /)]);
  expect(consoleText).toContain('VMTEST-DONE');
  expectNoSecret(consoleText);
}

/** The fixture's writeOnly value is in no agent file (status, report, state) and not on the console. */
function expectNoSecret(consoleText: string): void {
  expect(markers(consoleText, 'VMTEST secret-scan')).toEqual(['done']);
  expect(markers(consoleText, 'VMTEST secret-in')).toEqual([]);
  expect(consoleText).not.toContain(SECRET);
}

describe('busybox image, agent as init= (QEMU TCG)', () => {
  it('NoCloud ISO: templates get the user values, volatile paths are tmpfs, the persistent disk is seeded, the real init runs as PID 1', async () => {
    const dir = mkdtempSync(join(work, 'nocloud-disks-'));
    const seed = join(dir, 'seed.iso');
    makeNocloudIso(seed, JSON.stringify(userData('hi-from-nocloud')), 'instance-id: iid-vmtest-nocloud\nlocal-hostname: vmtest\n');
    const data = join(dir, 'data.img');
    makeExt4(data, '64M', 'cloudlet-data');
    const m = manifest(['nocloud'], {
      persistent: ['/var/lib/app'],
      volatile: ['/tmp', { path: '/var/cache/app', size: '16M', mode: '1777' }],
      storage: { device: 'LABEL=cloudlet-data', fstype: 'ext4' },
      templates: ['/etc/app/app.conf', '/etc/app/instance'],
    });
    const boot = await bootBusybox(kit, agent, work, 'busybox-nocloud', {
      manifest: m,
      files: { '/etc/app/instance': 'instance=<%= env.instanceId %>\n' },
      show: ['/etc/app/app.conf', '/etc/app/instance', '/var/lib/app/seed.txt', '/var/cache/app/keep.txt'],
      write: ['/var/lib/app/from-init.txt written-by-real-init-9e2b'],
    }, { extraDrives: [{ file: seed, readonly: true }, { file: data }] });

    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expectRealInitRan(boot.console, boot.logFile);
    expect(rendered(boot.console)).toEqual(['greeting=hi-from-nocloud', 'port=9090', 'platform=nocloud']);
    expect(markers(boot.console, 'VMTEST file /etc/app/instance:')).toEqual(['instance=iid-vmtest-nocloud']);

    const mounts = markers(boot.console, 'VMTEST mount:');
    expect(mounts).toContainEqual(expect.stringMatching(/^tmpfs \/tmp tmpfs /));
    expect(mounts).toContainEqual(expect.stringMatching(/^tmpfs \/var\/cache\/app tmpfs .*size=16384k/));
    expect(mounts).toContainEqual(expect.stringMatching(/^\/dev\/vdc \/var\/lib\/app ext4 /));
    // The image's file under the volatile path stays visible on the tmpfs.
    expect(markers(boot.console, 'VMTEST file /var/cache/app/keep.txt:')).toEqual(['image content under a volatile path']);

    // Seeded from the image onto the disk, and what the real init wrote landed on the disk too.
    expect(markers(boot.console, 'VMTEST file /var/lib/app/seed.txt:')).toEqual([SEED_TOKEN]);
    expect(diskContains(data, SEED_TOKEN), 'the seed is not on the persistent disk').toBe(true);
    expect(diskContains(data, 'written-by-real-init-9e2b'), 'the real init wrote through to the persistent disk').toBe(true);

  });

  it('fw_cfg: user data from -fw_cfg opt/cloudlet/user-data is rendered', async () => {
    const ud = join(mkdtempSync(join(work, 'fwcfg-')), 'ud.json');
    writeFileSync(ud, JSON.stringify(userData('hi-from-fwcfg', 7001)));
    const boot = await bootBusybox(kit, agent, work, 'busybox-fwcfg', { manifest: manifest(['fwcfg']), show: ['/etc/app/app.conf'] }, {
      fwCfg: [{ name: 'opt/cloudlet/user-data', file: ud }],
    });
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expectRealInitRan(boot.console, boot.logFile);
    expect(rendered(boot.console)).toEqual(['greeting=hi-from-fwcfg', 'port=7001', 'platform=fwcfg']);
  });

  it('SMBIOS type 11: user data from io.systemd.credential:cloudlet.user-data is rendered', async () => {
    const value = `io.systemd.credential:cloudlet.user-data=${JSON.stringify(userData('hi-from-smbios', 7002))}`;
    const boot = await bootBusybox(kit, agent, work, 'busybox-smbios', { manifest: manifest(['smbios']), show: ['/etc/app/app.conf'] }, {
      smbios11: [value],
    });
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expectRealInitRan(boot.console, boot.logFile);
    expect(rendered(boot.console)).toEqual(['greeting=hi-from-smbios', 'port=7002', 'platform=smbios']);
  });

  it('ec2: user data over IMDSv2 (token first) through user-mode networking to a loopback emulator is rendered', async () => {
    const imds = await startImds({
      '/latest/user-data': JSON.stringify(userData('hi-from-ec2', 7003)),
      '/latest/meta-data/instance-id': 'i-0vmtest0000000001',
      '/latest/meta-data/placement/region': 'vmtest-east-1',
      '/latest/meta-data/local-ipv4': '169.254.0.15',
      '/latest/meta-data/hostname': 'vmtest-ec2',
      '/latest/meta-data/local-hostname': 'vmtest-ec2',
    });
    try {
      const boot = await bootBusybox(kit, agent, work, 'busybox-ec2', {
        manifest: manifest(['ec2'], { templates: ['/etc/app/app.conf', '/etc/app/instance'] }),
        files: { '/etc/app/instance': 'instance=<%= env.instanceId %> region=<%= env.region %>\n' },
        show: ['/etc/app/app.conf', '/etc/app/instance'],
      }, { metadataPort: imds.port });
      expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
      expectRealInitRan(boot.console, boot.logFile);
      expect(rendered(boot.console)).toEqual(['greeting=hi-from-ec2', 'port=7003', 'platform=ec2']);
      expect(markers(boot.console, 'VMTEST file /etc/app/instance:')).toEqual(['instance=i-0vmtest0000000001 region=vmtest-east-1']);
      expect(imds.requests.find((r) => r.method === 'PUT' && r.path === '/latest/api/token'), 'no IMDSv2 token request').toBeDefined();
      expect(imds.requests.filter((r) => r.method === 'GET' && !r.withToken), 'a GET without the token').toEqual([]);
      // The agent brought up its own link-local address (nothing else configured eth0) and removed it after.
      expect(markers(boot.console, 'VMTEST addr:').filter((l) => l.includes('eth0'))).toEqual([]);
    } finally {
      await imds.close();
    }
  });

  it('no initramfs: the kernel mounts the NVMe root and /dev itself, the agent as init= adds only what is missing, then the real init runs', async () => {
    const dir = mkdtempSync(join(work, 'no-initramfs-'));
    const rootImg = makeBusyboxImage(kit, agent, dir, {
      manifest: manifest(['cmdline'], { volatile: ['/tmp'] }),
      files: IMAGE_FILES,
      show: ['/etc/app/app.conf'],
      secret: SECRET,
    });
    const ud = Buffer.from(JSON.stringify(userData('hi-without-initramfs'))).toString('base64');
    const boot = await bootVm({
      name: 'busybox-no-initramfs',
      kernel: kit.vmlinuz,
      // devtmpfs.mount=1: what kernels built with CONFIG_DEVTMPFS_MOUNT do, so /dev is there before init.
      append: `console=ttyS0 panic=-1 quiet root=/dev/nvme0n1 rootfstype=ext4 rootwait rw devtmpfs.mount=1 init=/usr/sbin/cloudlet-agent cloudlet.user-data=${ud}`,
      drives: [{ file: rootImg, bus: 'nvme' }],
      timeoutMs: 120_000,
    });
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expectRealInitRan(boot.console, boot.logFile);
    expect(rendered(boot.console)).toEqual(['greeting=hi-without-initramfs', 'port=9090', 'platform=cmdline']);
    const mounts = markers(boot.console, 'VMTEST mount:');
    // One of each: the kernel's /dev is kept, not covered by a second devtmpfs.
    const expected: Array<[string, string]> = [['/', 'ext4'], ['/proc', 'proc'], ['/sys', 'sysfs'], ['/dev', 'devtmpfs'], ['/run', 'tmpfs'], ['/tmp', 'tmpfs']];
    for (const [path, type] of expected) {
      expect(mounts.filter((m) => m.split(' ')[1] === path), `mounts at ${path}: ${boot.logFile}`).toEqual([expect.stringMatching(new RegExp(`^\\S+ ${path.replace(/\//g, '\\/')} ${type} `))]);
    }
  });

  it('invalid user data: one clear error on the console, the machine halts and the real init never runs', async () => {
    const ud = join(mkdtempSync(join(work, 'bad-ud-')), 'ud.json');
    writeFileSync(ud, JSON.stringify({ config: { greeting: 42, db_password: SECRET } }));
    const boot = await bootBusybox(kit, agent, work, 'busybox-invalid-user-data', { manifest: manifest(['fwcfg']), show: ['/etc/app/app.conf'] }, {
      fwCfg: [{ name: 'opt/cloudlet/user-data', file: ud }],
      stopWhen: /error E_[A-Z_]+/,
      stopGraceMs: 4000,
      timeoutMs: 90_000,
    });
    expect(distinctErrorCodes(boot.console), `console: ${boot.logFile}`).toEqual([expect.stringMatching(/^E_(CONFIG|USERDATA)_INVALID$/)]);
    expect(boot.console).toMatch(/\/greeting/);
    expect(boot.console).not.toContain('VMTEST init:');
    expect(boot.console).not.toContain(SECRET);
  });

  it('unmet requirement of the init entry point: one clear error naming it, the real init never runs', async () => {
    const m = manifest([], { entrypoints: { init: { path: '/sbin/real-init', requires: { memory: '64G' } } } });
    const boot = await bootBusybox(kit, agent, work, 'busybox-unmet-requirement', { manifest: m, show: ['/etc/app/app.conf'] }, {
      stopWhen: /error E_[A-Z_]+/,
      stopGraceMs: 4000,
      timeoutMs: 90_000,
    });
    expect(distinctErrorCodes(boot.console), `console: ${boot.logFile}`).toEqual(['E_REQUIREMENTS_UNMET']);
    expect(boot.console).toMatch(/memory/);
    expect(boot.console).not.toContain('VMTEST init:');
  });

  it('onError "shell": the error, then a shell on the console where status --json reports state error with the code', async () => {
    const ud = join(mkdtempSync(join(work, 'shell-ud-')), 'ud.json');
    writeFileSync(ud, JSON.stringify({ config: { greeting: 42, db_password: SECRET } }));
    const boot = await bootBusybox(kit, agent, work, 'busybox-shell-status', { manifest: manifest(['fwcfg'], { onError: 'shell' }) }, {
      fwCfg: [{ name: 'opt/cloudlet/user-data', file: ud }],
      // What an operator at the console would type. The tty echoes it back, so every marker is split by
      // quotes ('VMTEST''-X' prints VMTEST-X) to keep the echo from looking like the guest's answer.
      type: {
        when: /onError is "shell"[^\n]*\n/,
        text: [
          "echo 'VMTEST''-STATUS-BEGIN'; cloudlet-agent status --json; echo \"VMTEST\"\"-STATUS-END rc=$?\"",
          "grep -rlF -f /vmtest/secret /run/cloudlet /var/lib/cloudlet /.cloudlet | sed 's/^/VMTEST secret''-in /'",
          "echo 'VMTEST''-SCAN-DONE'; poweroff -f\n",
        ].join('; '),
      },
      stopWhen: /VMTEST-SCAN-DONE\n/,
      timeoutMs: 90_000,
    });
    expect(boot.console, `no shell prompt after the error; console: ${boot.logFile}`).toMatch(/VMTEST-SCAN-DONE\n/);
    expect(markers(boot.console, 'VMTEST secret-in'), 'the secret is in an agent file').toEqual([]);
    const status = JSON.parse(block(boot.console, 'VMTEST-STATUS') ?? 'null') as Record<string, any> | null;
    expect(status?.state).toBe('error');
    expect(status?.error?.code).toMatch(/^E_(CONFIG|USERDATA)_INVALID$/);
    expect(boot.console).toMatch(/VMTEST-STATUS-END rc=1/);
    expect(boot.console).not.toContain('VMTEST init:');
    expect(boot.console).not.toContain(SECRET);
  });
});

function distinctErrorCodes(consoleText: string): string[] {
  return [...new Set([...consoleText.matchAll(/error (E_[A-Z_]+)/g)].map((m) => m[1] as string))];
}
