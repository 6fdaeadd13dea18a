// Prepares what the executable runs: the bundle in a CommonJS wrapper and a V8 code cache trained on the boot path.
//
// V8 compiles a function on its first call. A code cache created right after compiling a script
// (what Node's SEA `useCodeCache` stores) holds only the top level, so every start compiled the
// same few hundred functions again: most of the CPU time of a short run, and ~20x that under
// QEMU TCG. A cache created after the agent has run its commands holds them compiled.

import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The same wrapper Node puts around a CommonJS module; build/sea-main.cjs calls it like one.
const WRAPPER_START = '(function (exports, require, module, __filename, __dirname) {';
const WRAPPER_END = '\n})';

/**
 * The command lines the cache is trained on: a boot's path on the example image. The dry run goes
 * through every step's plan (manifest, config schema, platforms, requirements, mount probes, template
 * rendering); `render` writes files and status as a boot does; `validate` is what image builds run.
 * They touch only copies in `workDir`.
 */
function trainingCommands(repo, workDir) {
  const example = join(repo, 'examples', 'hello');
  const root = join(workDir, 'train-root');
  cpSync(join(example, 'rootfs'), root, { recursive: true });
  const userData = join(example, 'user-data.json');
  const runDir = join(workDir, 'train-run');
  return [
    ['run', '--dry-run', '--root', root, '--user-data', userData, '--run-dir', runDir],
    ['render', '--root', root, '--user-data', userData, '--run-dir', runDir],
    ['validate', '--root', root, '--user-data', userData],
  ];
}

// NODE_OPTIONS could set V8 flags, and V8 refuses a cache made under other flags than its own:
// the executable ignores NODE_OPTIONS (execArgvExtension "none"), so the training must too.
function cleanEnv() {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * Writes `<workDir>/cloudlet-agent.js` (the wrapped bundle) and `<workDir>/cloudlet-agent.code-cache`.
 * With `train` false the cache is made without running anything (for bundles of other entries).
 * `node` is the pinned Node the executable is made of. Returns the paths and the training exit codes.
 */
export function prepareCodeCache({ repo, node, bundleFile, workDir, train }) {
  const script = join(workDir, 'cloudlet-agent.js');
  const cache = join(workDir, 'cloudlet-agent.code-cache');
  writeFileSync(script, WRAPPER_START + readFileSync(bundleFile, 'utf8') + WRAPPER_END);
  const commands = train ? trainingCommands(repo, workDir) : [];
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
