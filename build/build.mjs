// `npm run build`: validators -> esbuild bundles -> Node SEA executables (dist/cloudlet-agent, dist/cloudlet). Offline.
//
// Usage: node build/build.mjs [--bundle-only] [--entry FILE]
//   --bundle-only  stop after the bundles, dist/<program>.cjs (fast; run them with node_modules/.bin/node)
//   --entry FILE   build only dist/cloudlet-agent, from another entry than src/agent/main.ts (for trying the build itself)

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

/** The executables of this repository: name (dist/NAME, its bundle dist/NAME.cjs) and entry. */
const PROGRAMS = [
  { name: 'cloudlet-agent', entry: join(REPO, 'src', 'agent', 'main.ts') },
  { name: 'cloudlet', entry: join(REPO, 'src', 'cloudlet', 'main.ts') },
];

// A broken injection (e.g. a binary stripped after postject) only shows when it runs.
function checkExecutable(name, executable) {
  let out;
  try {
    // A bogus NODE_OPTIONS proves execArgvExtension "none": the environment cannot change the program.
    out = execFileSync(executable, ['--version'], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { ...process.env, NODE_OPTIONS: '--cloudlet-not-an-option' },
    });
  } catch (err) {
    throw new Error(`the built executable ${name} does not run: ${err.stderr || err.message}`, { cause: err });
  }
  if (!out.startsWith(`${name} `) || !out.includes(`node ${process.version}`)) {
    throw new Error(`"${name} --version" printed "${out.trim()}", expected "${name} VERSION (node ${process.version})"`);
  }
  return out.trim();
}

async function bundleProgram({ name, entry }) {
  const bundleFile = join(DIST, `${name}.cjs`);
  const started = performance.now();
  const { bytes, metafile } = await bundle({ entry, outfile: bundleFile, repo: REPO });
  const licences = `${name}.THIRD-PARTY-LICENSES`;
  const packages = writeThirdPartyLicences({ repo: REPO, metafile, out: join(DIST, licences), program: name });
  process.stdout.write(`bundle: dist/${name}.cjs ${mb(bytes)} in ${Math.round(performance.now() - started)} ms; licences: dist/${licences} (Node.js and ${packages} bundled packages)\n`);
  return bundleFile;
}

function buildExecutable({ name, train }, bundleFile) {
  const executable = join(DIST, name);
  const started = performance.now();
  // A directory of its own: builds started at the same time must not share a blob.
  mkdirSync(join(REPO, '.cache'), { recursive: true });
  const workDir = mkdtempSync(join(REPO, '.cache', 'sea-'));
  try {
    const exitCodes = buildSea({ repo: REPO, bundleFile, executable, workDir, program: train ? name : undefined });
    // A failing training command leaves the code it would have run out of the cache: every start then compiles
    // it again (~20x slower under emulation). That is a build defect, not a warning to scroll past.
    if (exitCodes.some((code) => code !== 0)) {
      throw new Error(`code cache of ${name}: a training command failed (exit codes ${exitCodes.join(', ')}); fix the command lines in build/code-cache.mjs or what broke them`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stdout.write(`executable: dist/${name} ${mb(statSync(executable).size)} in ${Math.round(performance.now() - started)} ms\n`);
  return executable;
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

  // Only a program's own entry can run its training command lines.
  const programs = values.entry
    ? [{ name: 'cloudlet-agent', entry: resolve(values.entry), train: false }]
    : PROGRAMS.map((program) => ({ ...program, train: true }));
  // Every bundle first: a source error stops the build before the slow part.
  const bundles = await Promise.all(programs.map(bundleProgram));
  if (values['bundle-only']) return;

  const executables = programs.map((program, i) => buildExecutable(program, bundles[i]));
  programs.forEach((program, i) => process.stdout.write(`check: ${checkExecutable(program.name, executables[i])}\n`));
}

main().catch((err) => {
  process.stderr.write(`build failed: ${err.message}\n`);
  process.exit(1);
});
