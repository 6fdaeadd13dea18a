// Prepares what an executable runs: the bundle in a CommonJS wrapper and a V8 code cache trained on the program's commands.
//
// V8 compiles a function on its first call. A code cache created right after compiling a script
// (what Node's SEA `useCodeCache` stores) holds only the top level, so every start compiled the
// same few hundred functions again: most of the CPU time of a short run, and ~20x that under
// QEMU TCG. A cache created after the program has run its commands holds them compiled.

import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The same wrapper Node puts around a CommonJS module; build/sea-main.cjs calls it like one.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_END = '\n})';

/**
 * The command lines each program's cache is trained on, run on copies in `workDir`. The agent's: a
 * boot's path on the example image. The dry run goes through every step's plan (manifest, config
 * schema, platforms, requirements, mount probes, template rendering); `render` writes files and
 * status as a boot does; `validate` is what image builds run. cloudlet's: its commands on the same
 * example. A program without a row gets a cache of its top level only.
 */
const TRAINING = {
  'cloudlet-agent': (example, workDir) => {
    const root = copyOf(example, workDir);
    const userData = join(example, 'user-data.json');
    const runDir = join(workDir, 'train-run');
    return [
      ['run', '--dry-run', '--root', withoutDataDisk(example, workDir), '--user-data', userData, '--run-dir', runDir],
      ['render', '--root', root, '--user-data', userData, '--run-dir', runDir],
      ['validate', '--root', root, '--user-data', userData],
    ];
  },
  cloudlet: (example, workDir) => {
    const root = copyOf(example, workDir);
    return [
      ['validate', '--root', root, '--user-data', join(example, 'user-data.json')],
      ['validate', '--manifest', join(root, '.cloudlet', 'manifest'), '--json'],
      ['specs'],
    ];
  },
};

function copyOf(example, workDir, name = 'train-root') {
  const root = join(workDir, name);
  cpSync(join(example, 'rootfs'), root, { recursive: true });
  return root;
}

/**
 * The example keeps its persistent data on a disk labelled hello-data, which a build host lacks: the plan
 * would stop at the mounts step (as the boot would) and never reach the templates. The dry run trains on a
 * copy whose manifest keeps its data on the root instead.
 */
function withoutDataDisk(example, workDir) {
  const root = copyOf(example, workDir, 'train-root-dry-run');
  const manifestPath = join(root, '.cloudlet', 'manifest');
  const { persistent: _persistent, storage: _storage, ...manifest } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  writeFileSync(manifestPath, JSON.stringify(manifest));
  return root;
}

// NODE_OPTIONS could set V8 flags, and V8 refuses a cache made under other flags than its own:
// the executable ignores NODE_OPTIONS (execArgvExtension "none"), so the training must too.
function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Writes `<workDir>/bundle.js` (the wrapped bundle) and `<workDir>/bundle.code-cache`, trained on the
 * command lines of `program` (a name in TRAINING; none: the cache is made without running anything).
 * `node` is the pinned Node the executable is made of. Returns the paths and the training exit codes.
 */
export function prepareCodeCache({ repo, node, bundleFile, workDir, program }) {
  if (program !== undefined && !TRAINING[program]) throw new Error(`no training command lines for "${program}" in build/code-cache.mjs`);
  const script = join(workDir, 'bundle.js');
  const cache = join(workDir, 'bundle.code-cache');
  writeFileSync(script, WRAPPER_START + readFileSync(bundleFile, 'utf8') + WRAPPER_END);
  const commands = program ? TRAINING[program](join(repo, 'examples', 'hello'), workDir) : [];
  const trainer = join(repo, 'build', 'code-cache-train.cjs');
  let out;
  try {
    out = execFileSync(node, [trainer, 'train', script, cache, JSON.stringify(commands)], {
      cwd: workDir,
      env: cleanEnv(),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (err) {
    throw new Error(`training the code cache failed: ${`${err.stderr ?? ''}`.trim() || err.message}`, { cause: err });
  }
  const exitCodes = JSON.parse(out.trim().split('\n').pop());
  try {
    execFileSync(node, [trainer, 'check', script, cache], { env: cleanEnv(), stdio: 'ignore' });
  } catch {
    throw new Error('V8 refuses the code cache it just made: the pinned Node runs with other V8 flags than at training');
  }
  return { script, cache, exitCodes };
}
