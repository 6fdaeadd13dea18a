// `npm run build`: validators -> esbuild bundle -> Node SEA executable (dist/cloudlet-agent). Offline.
//
// Usage: node build/build.mjs [--bundle-only] [--entry FILE]
//   --bundle-only  stop after dist/cloudlet-agent.cjs (fast; run it with node_modules/.bin/node)
//   --entry FILE   bundle another entry instead of src/agent/main.ts (for trying the build itself)

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundle } from './bundle.mjs';
import { writeThirdPartyLicences } from './licenses.mjs';
import { buildSea } from './sea.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(REPO, 'dist');

function mb(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

// ajv standalone validators are generated into src/ before bundling, so no schema compiles at boot.
async function runValidatorGenerator() {
  const mod = await import(pathToFileURL(join(REPO, 'build', 'gen-validators.mjs')).href);
  if (typeof mod.generateValidators !== 'function') {
    throw new Error('build/gen-validators.mjs does not export generateValidators()');
  }
  const started = performance.now();
  await mod.generateValidators();
  process.stdout.write(`validators: generated in ${Math.round(performance.now() - started)} ms\n`);
}

// A broken injection (e.g. a binary stripped after postject) only shows when it runs.
function checkExecutable(executable) {
  let out;
  try {
    // A bogus NODE_OPTIONS proves execArgvExtension "none": the environment cannot change the agent.
    out = execFileSync(executable, ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { ...process.env, NODE_OPTIONS: '--cloudlet-not-an-option' },
    });
  } catch (err) {
    throw new Error(`the built executable does not run: ${err.stderr || err.message}`, { cause: err });
  }
  if (!out.includes(`node ${process.version}`)) {
    throw new Error(`"cloudlet-agent --version" printed "${out.trim()}", expected the embedded node ${process.version}`);
  }
  return out.trim();
}

async function main() {
  const { values } = parseArgs({
    options: { 'bundle-only': { type: 'boolean' }, entry: { type: 'string' } },
    strict: true,
  });
  if (!process.version.startsWith('v24.')) {
    throw new Error(`build needs the pinned Node 24 (this is ${process.version}): run "npm run build"`);
  }
  mkdirSync(DIST, { recursive: true });
  if (!values.entry) await runValidatorGenerator();

  const entry = values.entry ? resolve(values.entry) : join(REPO, 'src', 'agent', 'main.ts');
  const bundleFile = join(DIST, 'cloudlet-agent.cjs');
  const started = performance.now();
  const { bytes, metafile } = await bundle({ entry, outfile: bundleFile, repo: REPO });
  process.stdout.write(`bundle: dist/cloudlet-agent.cjs ${mb(bytes)} in ${Math.round(performance.now() - started)} ms\n`);
  const packages = writeThirdPartyLicences({ repo: REPO, metafile, out: join(DIST, 'THIRD-PARTY-LICENSES') });
  process.stdout.write(`licences: dist/THIRD-PARTY-LICENSES (Node.js and ${packages} bundled packages)\n`);
  if (values['bundle-only']) return;

  const executable = join(DIST, 'cloudlet-agent');
  const seaStarted = performance.now();
  // A directory of its own: builds started at the same time must not share a blob.
  mkdirSync(join(REPO, '.cache'), { recursive: true });
  const workDir = mkdtempSync(join(REPO, '.cache', 'sea-'));
  try {
    // Only the agent's own entry can run the training command lines.
    const exitCodes = buildSea({ repo: REPO, bundleFile, executable, workDir, train: !values.entry });
    if (exitCodes.some((code) => code !== 0)) {
      process.stderr.write(`code cache: a training command failed (exit codes ${exitCodes.join(', ')}): the cache holds less, the executable is not affected\n`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `executable: dist/cloudlet-agent ${mb(statSync(executable).size)} in ${Math.round(performance.now() - seaStarted)} ms\n`,
  );
  process.stdout.write(`check: ${checkExecutable(executable)}\n`);
}

main().catch((err) => {
  process.stderr.write(`build failed: ${err.message}\n`);
  process.exit(1);
});
