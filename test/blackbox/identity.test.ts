// Blackbox: first-boot-only templates, the hostname applied in init and hook modes, and the platforms' SSH keys.

import { execFileSync, spawnSync } from 'node:child_process';
import { hostname as hostHostname } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzure } from './emulators/azure';
import { startEc2 } from './emulators/ec2';
import { startGce } from './emulators/gce';
import { startOpenstack } from './emulators/openstack';
import { runAgentAsync } from './emulators/run-agent-async';
import type { Emulator } from './emulators/server';
import { agentCommand, makeImage, runAgent, runInNamespace, tempDir, type AgentRun } from './harness';

/** The name of the machine running the tests: no test here may change it. */
const HOST = hostHostname();

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILApc1ukAdaLxgjAyXtDJ8SZHs5S5l5kuzIvuzulIhhV alice@laptop';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDIne70YaEXujgx5uwNTHx56HtNdNzcaqLLD5HzOc+hLQBbBAnVGUwEVC0JeJKCToCsvdXL6JUwINAqOYeELTD+bGgqAOiBYyK651LYm02Witk9UkswRBvxI7tp3GB7nAT3hvhmpGpwi7WroCcheMBvkyMKFl21irGi5m8ROo0MrHgWs8M/85SGUPc6Hd8Mr3wiaQUGFitp4byEd71WQtYeOgp/DSFWfE7LOg8veWQDf+ZY+12nwP7NrJSrdfPdlROVq2uIQOEBY/JMpCR3fOcSxRLD6eWANi3IWgJs7M7g+o/p1/bd30GBS2jZ8rX4dlyaR50wp6qftZ95aC9yBCnh bob';
const ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBGtYO9Eh7qO6yaJVpeqPDvorV6y8QURlyVZDYS05twHx0Kk/c0AP9q8b28rwRbkBd8Jk3vqXFwiGdDqgMbszh2U=';

const cleanups: Array<() => void | Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function temp(prefix: string): string {
  const t = tempDir(prefix);
  cleanups.push(t.cleanup);
  return t.dir;
}

function image(manifest: Record<string, unknown>, tree: Record<string, string>): string {
  const img = makeImage({ cloudlet: '0.0.4', name: 'identity', entrypoints: { init: {} }, ...manifest }, tree);
  cleanups.push(img.cleanup);
  return img.root;
}

function userData(value: unknown): string {
  const file = join(temp('cloudlet-ud-'), 'ud.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
}

const read = (root: string, path: string) => readFileSync(join(root, path), 'utf8');

/** A shell script in its own mount and UTS namespaces: a host name set inside stays there. */
function inOwnHostname(script: string, env: Record<string, string>): AgentRun {
  const r = spawnSync('unshare', ['-m', '-u', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c', script], {
    encoding: 'utf8',
    env: { ...process.env, AGENT: agentCommand().join(' '), ...env },
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('once templates', () => {
  const manifest = { platforms: ['cmdline'], templates: [{ path: '/root/.ssh/authorized_keys', mode: '0600', once: true }, '/etc/motd'] };
  const tree = { '/root/.ssh/authorized_keys': '# first boot at <%= env.hostname %>\n', '/etc/motd': 'boot of <%= env.hostname %>\n' };

  it('are rendered on the first boot only; later boots, and render, leave the file as it is and say why', () => {
    const root = image(manifest, tree);
    const run = temp('cloudlet-run-');
    const first = runAgent(['run', '--root', root, '--run-dir', run, '--user-data', userData({ hostname: 'one' })]);
    expect(first.code, first.stderr).toBe(0);
    expect(read(root, 'root/.ssh/authorized_keys')).toBe('# first boot at one\n');
    writeFileSync(join(root, 'root/.ssh/authorized_keys'), 'edited\n');

    const second = runAgent(['run', '--root', root, '--run-dir', run, '--user-data', userData({ hostname: 'two' })]);
    expect(second.code, second.stderr).toBe(0);
    expect(read(root, 'root/.ssh/authorized_keys')).toBe('edited\n');
    expect(read(root, 'etc/motd')).toBe('boot of two\n');
    expect(second.stderr).toMatch(/1 first-boot-only left as it is/);

    const dry = runAgent(['render', '--root', root, '--user-data', userData({ hostname: 'three' }), '--dry-run', '--diff']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('skipped /root/.ssh/authorized_keys (once: rendered on the first boot of this instance only, which is done; the file is left as it is)');
    const json = runAgent(['render', '--root', root, '--user-data', userData({}), '--dry-run', '--json']);
    expect(JSON.parse(json.stdout).skipped).toEqual([{ path: '/root/.ssh/authorized_keys', reason: expect.stringMatching(/^once:/) }]);
    const plan = runAgent(['run', '--root', root, '--run-dir', run, '--user-data', userData({}), '--dry-run']);
    expect(plan.stdout).toContain('skip /root/.ssh/authorized_keys (once:');
  });

  it('validate takes once: true and refuses a non-boolean once with its JSON path', () => {
    const good = image({ platforms: ['cmdline'], templates: [{ path: '/etc/motd', once: true }] }, { '/etc/motd': 'x\n' });
    const ok = runAgent(['validate', '--manifest', join(good, '.cloudlet/manifest'), '--json']);
    expect(ok.code, ok.stdout).toBe(0);
    const bad = image({ platforms: ['cmdline'], templates: [{ path: '/etc/motd', once: 'yes' }] }, { '/etc/motd': 'x\n' });
    const r = runAgent(['validate', '--manifest', join(bad, '.cloudlet/manifest'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('/templates/0/once');
  });
});

describe('hostname', () => {
  it('in hook mode (chroot into the root, as the initramfs scripts do) sets the kernel hostname and /etc/hostname', () => {
    const root = image({ platforms: ['cmdline'] }, { '/etc/hostname': 'debian\n', '/ud.json': JSON.stringify({ hostname: 'web1' }) });
    const [bin] = agentCommand();
    const r = inOwnHostname(
      `for d in usr proc sys dev run; do mkdir -p "$ROOT/$d"; done
       mount -o bind,ro /usr "$ROOT/usr"
       for l in lib lib64 bin sbin; do ln -s "usr/$l" "$ROOT/$l"; done
       for d in proc sys dev; do mount --rbind "/$d" "$ROOT/$d"; done
       touch "$ROOT/agent" && mount --bind "$BIN" "$ROOT/agent"
       hostname before-agent
       chroot "$ROOT" /agent run --entrypoint init --user-data /ud.json
       echo "kernel=$(hostname)"`,
      { ROOT: root, BIN: bin as string },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kernel=web1');
    expect(read(root, 'etc/hostname')).toBe('web1\n');
    expect(r.stderr).toMatch(/Hostname web1 \(from user data\)/);
    const status = JSON.parse(read(root, 'run/cloudlet/status.json')) as { steps: Array<{ name: string; outcome: string; durationMs: number }> };
    expect(status.steps.map((st) => st.name)).toEqual(['manifest', 'user-data', 'requirements', 'mounts', 'instance', 'hostname', 'templates']);
    expect(status.steps.find((st) => st.name === 'hostname')).toMatchObject({ outcome: 'ok', durationMs: expect.any(Number) });
  });

  it('run --root on an image that is not this machine\'s root writes only the image\'s /etc/hostname; a dry run shows the plan', () => {
    const root = image({ platforms: ['cmdline'] }, { '/etc/hostname': 'debian\n' });
    const ud = userData({ hostname: 'web2' });
    const dry = runAgent(['run', '--root', root, '--run-dir', temp('cloudlet-run-'), '--user-data', ud, '--dry-run']);
    expect(dry.stdout).toContain('Hostname:\n  hostname web2 (from user data)\n  kernel hostname: left as it is (the image root is not this machine\'s root)\n  /etc/hostname: set to web2 (now debian)');
    expect(read(root, 'etc/hostname')).toBe('debian\n');
    const r = inOwnHostname('hostname before-agent\n$AGENT run --root "$ROOT" --run-dir "$RUN" --user-data "$UD"\necho "kernel=$(hostname)"', { ROOT: root, RUN: temp('cloudlet-run-'), UD: ud });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('kernel=before-agent');
    expect(read(root, 'etc/hostname')).toBe('web2\n');
    expect(hostHostname()).toBe(HOST);
  });

  it('on a root that stays read-only, /etc/hostname is not written and the summary says so; the boot goes on', () => {
    const root = image({ platforms: ['cmdline'] }, { '/etc/hostname': 'debian\n' });
    const r = inOwnHostname(
      'mount --bind "$ROOT" "$ROOT"\nmount -o remount,bind,ro "$ROOT"\n$AGENT run --root "$ROOT" --run-dir "$RUN" --user-data "$UD"',
      { ROOT: root, RUN: temp('cloudlet-run-'), UD: userData({ hostname: 'web4' }) },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Hostname web4 (from user data): /etc/hostname not written: the root is read-only');
    expect(read(root, 'etc/hostname')).toBe('debian\n');
  });

  it('is not applied under chroot', () => {
    const root = image({ platforms: ['cmdline'], entrypoints: { chroot: { command: ['/bin/true'] } } }, { '/etc/hostname': 'debian\n' });
    const r = runAgent(['chroot', '--root', root, '--run-dir', temp('cloudlet-run-'), '--user-data', userData({ hostname: 'web3' }), '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Hostname:');
  });

  it('a platform hostname that is not one writes nothing and ends degraded with the reason', async () => {
    const em = await startOpenstack({ hostname: 'bad_name' });
    cleanups.push(() => em.close());
    const b = await bootOn('openstack', em, { '/etc/hostname': 'debian\n' });
    expect(b.code).toBe(4);
    expect(b.stderr).toMatch(/"bad_name" from platform openstack is not a host name: its label "bad_name" holds something other than letters, digits and inner "-"/);
    expect(read(b.root, 'etc/hostname')).toBe('debian\n');
  });

  it('user data with a hostname that is not one is invalid user data, and nothing is written', () => {
    const root = image({ platforms: ['cmdline'] }, { '/etc/hostname': 'debian\n' });
    const r = runAgent(['run', '--root', root, '--run-dir', temp('cloudlet-run-'), '--user-data', userData({ hostname: 'web_1' })]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/hostname/);
    expect(read(root, 'etc/hostname')).toBe('debian\n');
  });
});

const KEYS_TEMPLATE = '<% for (const k of env.sshKeys) { %><%- k.user ?? "-" %> <%- k.type %> <%- k.comment %>|<%- k.line %>\n<% } %>';

async function bootOn(platform: string, em: Emulator, tree: Record<string, string> = {}): Promise<AgentRun & { root: string }> {
  const root = image(
    {
      platforms: [platform],
      datasources: { timeout: 2, total: 4, endpoints: { [platform]: em.url } },
      templates: [{ path: '/root/.ssh/authorized_keys', mode: '0600', once: true }],
    },
    { '/root/.ssh/authorized_keys': KEYS_TEMPLATE, ...tree },
  );
  const tmp = temp('cloudlet-net-');
  writeFileSync(join(tmp, 'cmdline'), 'console=ttyS0\n');
  const r = await runAgentAsync([], {
    script: 'mount --bind "$CMDLINE" /proc/cmdline\nexec $AGENT run --root "$ROOT" --run-dir "$RUN_DIR"',
    env: { CMDLINE: join(tmp, 'cmdline'), ROOT: root, RUN_DIR: join(tmp, 'run') },
  });
  return { ...r, root };
}

const line = (user: string, key: string) => `${user} ${key.split(' ')[0]} ${key.split(' ').slice(2).join(' ')}|${key}`;

describe('SSH public keys from the platform, as env.sshKeys', () => {
  it.concurrent('ec2: public-keys/N/openssh-key', async () => {
    const em = await startEc2({ publicKeys: [ED25519, RSA] });
    cleanups.push(() => em.close());
    const b = await bootOn('ec2', em);
    expect(b.code, b.stderr).toBe(0);
    expect(read(b.root, 'root/.ssh/authorized_keys')).toBe(`${line('-', ED25519)}\n${line('-', RSA)}\n`);
    expect(b.stderr).toMatch(/2 SSH public keys/);
  });

  it.concurrent('openstack: keys and public_keys, once each; a bad line is skipped with a warning, the boot goes on', async () => {
    const em = await startOpenstack({ keys: [{ name: 'a', type: 'ssh', data: ED25519 }], publicKeys: { a: ED25519, b: 'ssh-rsa garbage!', c: ECDSA } });
    cleanups.push(() => em.close());
    const b = await bootOn('openstack', em);
    expect(b.code, b.stderr).toBe(0);
    expect(read(b.root, 'root/.ssh/authorized_keys')).toBe(`${line('-', ED25519)}\n${line('-', ECDSA)}\n`);
    expect(b.stderr).toContain('2 SSH public keys; warning, skipped: meta_data.json public_keys.b line 1: the key is not base64');
  });

  it.concurrent('gce: instance and project ssh-keys with their users; block-project-ssh-keys keeps the project\'s out', async () => {
    const em = await startGce({ instanceKeys: `ann:${ED25519}`, projectKeys: `bob:${RSA}` });
    cleanups.push(() => em.close());
    const b = await bootOn('gce', em);
    expect(b.code, b.stderr).toBe(0);
    expect(read(b.root, 'root/.ssh/authorized_keys')).toBe(`${line('ann', ED25519)}\n${line('bob', RSA)}\n`);
    const blocked = await startGce({ instanceKeys: `ann:${ED25519}`, projectKeys: `bob:${RSA}`, blockProjectKeys: true });
    cleanups.push(() => blocked.close());
    const c = await bootOn('gce', blocked);
    expect(read(c.root, 'root/.ssh/authorized_keys')).toBe(`${line('ann', ED25519)}\n`);
  });

  it.concurrent('azure: compute.publicKeys, the user from the key path', async () => {
    const em = await startAzure({ publicKeys: [{ keyData: RSA, path: '/home/azureuser/.ssh/authorized_keys' }] });
    cleanups.push(() => em.close());
    const b = await bootOn('azure', em);
    expect(b.code, b.stderr).toBe(0);
    expect(read(b.root, 'root/.ssh/authorized_keys')).toBe(`${line('azureuser', RSA)}\n`);
  });

  it('nocloud: meta-data public-keys on a vfat seed labelled CIDATA', () => {
    const dir = temp('cloudlet-seed-');
    writeFileSync(join(dir, 'user-data'), '{}');
    writeFileSync(join(dir, 'meta-data'), `instance-id: iid-keys\npublic-keys:\n  - ${ED25519}\n  - ${RSA}\n`);
    const seed = join(dir, 'seed.img');
    execFileSync('mkfs.vfat', ['-C', '-n', 'CIDATA', seed, '1024'], { stdio: 'pipe' });
    execFileSync('mcopy', ['-i', seed, join(dir, 'user-data'), join(dir, 'meta-data'), '::'], { stdio: 'pipe' });
    const root = image(
      { platforms: ['nocloud'], templates: [{ path: '/root/.ssh/authorized_keys', mode: '0600', once: true }] },
      { '/root/.ssh/authorized_keys': KEYS_TEMPLATE },
    );
    writeFileSync(join(dir, 'cmdline'), 'console=ttyS0\n');
    const r = runInNamespace(
      'loop=$(losetup -f --show -r "$SEED")\ntrap \'losetup -d "$loop"\' EXIT\nmount --bind "$CMDLINE" /proc/cmdline\n$AGENT run --root "$ROOT" --run-dir "$RUN"',
      { env: { SEED: seed, ROOT: root, RUN: join(dir, 'run'), CMDLINE: join(dir, 'cmdline') } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(read(root, 'root/.ssh/authorized_keys')).toBe(`${line('-', ED25519)}\n${line('-', RSA)}\n`);
  });

  it.concurrent('a platform without keys gives an empty list', async () => {
    const em = await startEc2({});
    cleanups.push(() => em.close());
    const b = await bootOn('ec2', em);
    expect(b.code, b.stderr).toBe(0);
    expect(read(b.root, 'root/.ssh/authorized_keys')).toBe('');
  });
});
