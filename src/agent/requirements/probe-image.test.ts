import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeCommand, probeFile, probeImage } from './probe-image';

let root: string;
let outside: string;

function put(path: string, mode = 0o644, content = '#!/bin/sh\n') {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  chmodSync(join(root, path), mode);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cloudlet-probe-'));
  outside = mkdtempSync(join(tmpdir(), 'cloudlet-outside-'));
  writeFileSync(join(outside, 'evil'), '#!/bin/sh\n');
  chmodSync(join(outside, 'evil'), 0o755);
  put('/usr/bin/app', 0o755);
  put('/usr/local/bin/app', 0o755); // earlier on PATH: wins
  put('/usr/bin/notexec', 0o644);
  put('/usr/bin/real-tool', 0o755);
  mkdirSync(join(root, 'usr/sbin'), { recursive: true });
  symlinkSync('/usr/bin/real-tool', join(root, 'usr/sbin/tool')); // absolute link: read inside the image
  symlinkSync(join(outside, 'evil'), join(root, 'usr/sbin/evil')); // host path: not inside the image
  symlinkSync('../../../../../../..' + outside, join(root, 'usr/sbin/climber'));
  symlinkSync('usr/bin', join(root, 'bin')); // merged /usr
  put('/etc/app.conf');
  symlinkSync('/etc/app.conf', join(root, 'etc/link.conf'));
  symlinkSync('/etc/nothing', join(root, 'etc/dangling.conf'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('probeCommand', () => {
  it('finds the first executable on the image PATH', async () => {
    expect(await probeCommand(root, 'app')).toEqual({ found: '/usr/local/bin/app' });
  });

  it('follows symlinks inside the image', async () => {
    expect(await probeCommand(root, 'tool')).toEqual({ found: '/usr/sbin/tool' });
  });

  it('does not count a file without an execute bit', async () => {
    expect(await probeCommand(root, 'notexec')).toEqual({ missing: true });
  });

  it('does not find the host\'s commands (sh exists on the host, not in this image)', async () => {
    expect(await probeCommand(root, 'sh')).toEqual({ missing: true });
  });

  it('reads an absolute link target inside the image, not on the host', async () => {
    expect(await probeCommand(root, 'evil')).toEqual({ missing: true });
  });

  it('never finds a command through a link that climbs out of the image', async () => {
    expect(await probeCommand(root, 'climber')).toEqual({ missing: true });
  });

  it('checks an absolute command path itself and refuses relative and ".." ones', async () => {
    expect(await probeCommand(root, '/bin/app')).toEqual({ found: '/bin/app' });
    expect(await probeCommand(root, 'bin/app')).toHaveProperty('refused');
    expect(await probeCommand(root, '/usr/../../etc/passwd')).toHaveProperty('refused');
  });
});

describe('probeFile', () => {
  it('sees files, links to files and directories', async () => {
    expect(await probeFile(root, '/etc/app.conf')).toEqual({ present: true });
    expect(await probeFile(root, '/etc/link.conf')).toEqual({ present: true });
    expect(await probeFile(root, '/usr/bin')).toEqual({ present: true });
  });

  it('calls a dangling link and a missing file missing', async () => {
    expect(await probeFile(root, '/etc/dangling.conf')).toEqual({ missing: true });
    expect(await probeFile(root, '/etc/app.conf/sub')).toEqual({ missing: true });
  });

  it('refuses paths that leave the image', async () => {
    expect(await probeFile(root, '/../etc/passwd')).toHaveProperty('refused');
  });
});

describe('probeImage', () => {
  it('keys the answers by the names the manifest wrote', async () => {
    expect(await probeImage(root, { commands: ['app', 'ghost'], files: ['/etc/app.conf'] })).toEqual({
      commands: { app: { found: '/usr/local/bin/app' }, ghost: { missing: true } },
      files: { '/etc/app.conf': { present: true } },
    });
  });
});
