// The floor of the boot comparison: the agent's package with its executable swapped for one made of the same pinned
// Node (same SEA build, same execArgv) whose program does nothing.
//
// Booted like the agent, its initramfs hook binds, chroots and starts that executable from the root disk, which exits
// at once: what is left is what starting Node costs there before any of the agent's code runs. It writes no status, so
// the systemd unit starts it once more after the switch to the root (a few tenths of a second of userspace, after the
// kernel timestamps the comparison reads).

import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSea } from '../build/sea.mjs';

const AGENT_IN_PACKAGE = join('usr', 'lib', 'cloudlet', 'cloudlet-agent');

/** Every regular file under `dir`, as paths relative to it, sorted. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** Builds `<work>/node-floor.deb` from `agentDeb`; returns its path. */
export function floorDeb({ repo, work, agentDeb }) {
  const bundle = join(work, 'node-floor.cjs');
  writeFileSync(bundle, "'use strict';\n");
  const exeDir = join(work, 'node-floor');
  mkdirSync(exeDir, { recursive: true });
  // Named like the agent: build/sea.mjs gives an executable its options by name.
  const exe = join(exeDir, 'cloudlet-agent');
  buildSea({ repo, bundleFile: bundle, executable: exe, workDir: join(work, 'node-floor-sea') });

  const tree = join(work, 'node-floor-deb');
  execFileSync('dpkg-deb', ['-R', agentDeb, tree]);
  copyFileSync(exe, join(tree, AGENT_IN_PACKAGE));
  const sums = filesUnder(tree)
    .filter((f) => !f.startsWith(`DEBIAN/`))
    .map((f) => `${createHash('md5').update(readFileSync(join(tree, f))).digest('hex')}  ${f}\n`);
  writeFileSync(join(tree, 'DEBIAN', 'md5sums'), sums.join(''));
  const out = join(work, 'node-floor.deb');
  execFileSync('dpkg-deb', ['-Zgzip', '--root-owner-group', '-b', tree, out], { stdio: ['ignore', 'ignore', 'inherit'] });
  return out;
}
