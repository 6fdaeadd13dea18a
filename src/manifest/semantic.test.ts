import { describe, expect, it } from 'vitest';
import { semanticProblems } from './semantic';
import { exampleManifest } from './test-fixtures';

function with_(patch: Record<string, unknown>): Record<string, unknown> {
  return { ...exampleManifest(), ...patch };
}

function problemsOf(patch: Record<string, unknown>) {
  return semanticProblems(with_(patch));
}

describe('semanticProblems', () => {
  it('finds nothing wrong with the example manifest', () => {
    expect(semanticProblems(exampleManifest())).toEqual([]);
  });

  it('refuses a relative path, at the short-form item and at /path of an object item', () => {
    const problems = problemsOf({ templates: ['etc/motd', { path: 'app.conf' }] });
    expect(problems.map((p) => p.path)).toEqual(['/templates/0', '/templates/1/path']);
    expect(problems[0]?.message).toMatch(/not absolute/);
  });

  it('refuses ".." in a path', () => {
    expect(problemsOf({ persistent: ['/var/../etc'] })).toEqual([{ path: '/persistent/0', message: expect.stringMatching(/contains "\.\."/) }]);
  });

  it('refuses "/" as a persistent path', () => {
    expect(problemsOf({ persistent: ['/'] }).map((p) => p.path)).toEqual(['/persistent/0']);
  });

  it('refuses persistent and volatile paths inside /.cloudlet, the agent\'s own directory', () => {
    expect(problemsOf({ volatile: ['/.cloudlet/storage/x'], persistent: ['/.cloudlet'] }).map((p) => p.path)).toEqual(['/persistent/0', '/volatile/0']);
  });

  it('refuses a template at or under /.cloudlet, so user data cannot rewrite the next boot\'s manifest or pristine copies', () => {
    const problems = problemsOf({ templates: ['/etc/motd', '/.cloudlet/manifest', { path: '/.cloudlet//templates/etc/motd' }, '/.cloudlet', '/.cloudletx/ok'] });
    expect(problems.map((p) => p.path)).toEqual(['/templates/1', '/templates/2/path', '/templates/3']);
    expect(problems[0]?.message).toContain('/.cloudlet/manifest');
  });

  it('finds a duplicate after normalizing, naming the first occurrence', () => {
    expect(problemsOf({ templates: ['/etc/motd', '/etc//motd/'] })).toEqual([
      { path: '/templates/1', message: '"/etc/motd" is listed twice in templates (also /templates/0)' },
    ]);
  });

  it('refuses a path that is both persistent and volatile', () => {
    expect(problemsOf({ persistent: ['/data'], volatile: [{ path: '/data' }] })).toEqual([
      { path: '/volatile/0/path', message: expect.stringMatching(/also persistent \(\/persistent\/0\)/) },
    ]);
  });

  it('refuses a volatile path nested inside a persistent one', () => {
    expect(problemsOf({ persistent: ['/var/lib/app'], volatile: ['/var/lib/app/cache'] })).toEqual([
      { path: '/volatile/0', message: expect.stringMatching(/inside persistent "\/var\/lib\/app"/) },
    ]);
  });

  it('refuses a persistent path nested inside a volatile one', () => {
    expect(problemsOf({ persistent: ['/tmp/keep'], volatile: ['/tmp'] })).toEqual([
      { path: '/persistent/0', message: expect.stringMatching(/inside volatile "\/tmp"/) },
    ]);
  });

  it('refuses a template inside a volatile path (the tmpfs would hide it)', () => {
    expect(problemsOf({ templates: ['/run/app/app.conf'], volatile: ['/run/app'] })).toEqual([
      { path: '/templates/0', message: expect.stringMatching(/inside volatile "\/run\/app".*lost/) },
    ]);
  });

  it('refuses a template that is also a persistent path, but allows one inside a persistent directory', () => {
    expect(problemsOf({ templates: ['/home', '/var/lib/app/app.conf'] })).toEqual([
      { path: '/templates/0', message: expect.stringMatching(/also persistent \(\/persistent\/1\)/) },
    ]);
  });

  it('refuses a mode that is not an octal string', () => {
    const problems = problemsOf({ templates: [{ path: '/a', mode: '0980' }], volatile: [{ path: '/b', mode: '777777' }] });
    expect(problems.map((p) => p.path)).toEqual(['/templates/0/mode', '/volatile/0/mode']);
  });

  it('refuses an owner that is not user or user:group', () => {
    expect(problemsOf({ templates: [{ path: '/a', owner: 'root:app:x' }, { path: '/b', owner: '1000:app' }] })).toEqual([
      { path: '/templates/0/owner', message: expect.stringMatching(/not an owner/) },
    ]);
  });

  it('refuses malformed tmpfs sizes and a zero size', () => {
    const problems = problemsOf({ volatile: [{ path: '/a', size: '64MB' }, { path: '/b', size: '0' }, { path: '/c', size: '150%' }, { path: '/d', size: '10%' }] });
    expect(problems.map((p) => p.path)).toEqual(['/volatile/0/size', '/volatile/1/size', '/volatile/2/size']);
  });

  it('refuses a memory requirement that is not a size', () => {
    const problems = problemsOf({ entrypoints: { init: { requires: { memory: 'lots' } } } });
    expect(problems).toEqual([{ path: '/entrypoints/init/requires/memory', message: expect.stringMatching(/not a memory size/) }]);
  });

  it('refuses a hypervisor name the requirement readers never detect, in a string or a list, and takes every known spelling', () => {
    const entrypoints = {
      init: { requires: { hypervisor: 'kvmm' } },
      chroot: { command: ['/bin/app'], requires: { hypervisor: ['KVM', 'hyper-v', 'bare-metal', 'xne'] } },
    };
    expect(problemsOf({ entrypoints })).toEqual([
      { path: '/entrypoints/init/requires/hypervisor', message: expect.stringMatching(/^unknown hypervisor "kvmm"; known: kvm, nitro, qemu/) },
      { path: '/entrypoints/chroot/requires/hypervisor/3', message: expect.stringMatching(/^unknown hypervisor "xne"/) },
    ]);
  });

  it('refuses a kernel requirement that is not a semver range', () => {
    const problems = problemsOf({ entrypoints: { init: { requires: { kernel: '>= four' } } } });
    expect(problems).toEqual([{ path: '/entrypoints/init/requires/kernel', message: expect.stringMatching(/not a semver range/) }]);
  });

  it('refuses relative required files and entry point paths', () => {
    const problems = problemsOf({
      entrypoints: { kernel: { path: 'vmlinuz', initrd: '/boot/../initrd' }, chroot: { command: ['app'], workdir: 'srv', requires: { files: ['etc/x'] } } },
    });
    expect(problems.map((p) => p.path)).toEqual([
      '/entrypoints/kernel/path',
      '/entrypoints/kernel/initrd',
      '/entrypoints/chroot/workdir',
      '/entrypoints/chroot/requires/files/0',
    ]);
  });

  it('refuses entrypoints that name no entry point', () => {
    expect(problemsOf({ entrypoints: {} })).toEqual([{ path: '/entrypoints', message: expect.stringMatching(/at least one of kernel, init, chroot/) }]);
  });

  it('refuses an empty chroot command and an empty program name', () => {
    expect(problemsOf({ entrypoints: { chroot: { command: [] } } }).map((p) => p.path)).toEqual(['/entrypoints/chroot/command']);
    expect(problemsOf({ entrypoints: { chroot: { command: ['', 'x'] } } }).map((p) => p.path)).toEqual(['/entrypoints/chroot/command/0']);
  });

  it('refuses unknown and repeated platforms', () => {
    expect(problemsOf({ platforms: ['nocloud', 'ec3', 'nocloud'] })).toEqual([
      { path: '/platforms/1', message: expect.stringMatching(/unknown platform "ec3"; known: cmdline, nocloud/) },
      { path: '/platforms/2', message: '"nocloud" is listed twice (also /platforms/0)' },
    ]);
  });

  it('names the platform a misspelt one most likely means', () => {
    expect(problemsOf({ platforms: ['fw_cfg'] })[0]?.message).toMatch(/^unknown platform "fw_cfg"; known: .*; did you mean "fwcfg"\?$/);
    expect(problemsOf({ datasources: { endpoints: { opnestack: 'http://127.0.0.1' } } })[0]?.message).toMatch(/did you mean "openstack"\?$/);
    expect(problemsOf({ platforms: ['digitalocean'] })[0]?.message).not.toContain('did you mean');
  });

  it('refuses endpoints of unknown platforms and URLs that are not http(s)', () => {
    const problems = problemsOf({ datasources: { endpoints: { ec2: 'ftp://x', gcp: 'http://127.0.0.1:8080' } } });
    expect(problems.map((p) => p.path)).toEqual(['/datasources/endpoints/ec2', '/datasources/endpoints/gcp']);
  });

  it('skips what has the wrong shape (the schema reports that) instead of throwing', () => {
    expect(semanticProblems({ templates: [3, null, { path: 4 }], persistent: 'x', entrypoints: { chroot: { command: 'app' } } })).toEqual([]);
    expect(semanticProblems('nonsense')).toEqual([]);
  });
});
