// `npm run bench -- --only boot`: boot time of a Debian VM (TCG) without the agent, with it, and optionally with cloud-init,
// in interleaved rounds; medians. Not part of any test run: a round of three boots takes two to three minutes.
//
// Usage: node bench/boot-compare.mjs [--rounds N] [--agent NAME=DEB ...] [--floor] [--cloud-init] [--timeout S] [--json]
//        node bench/boot-compare.mjs --summarize FILE   (the medians of a boot-compare.json again, nothing booted)
//   --agent     a .deb to compare (repeatable: e.g. old=/tmp/old/dist/....deb new=dist/....deb); default the
//               current build's package (made with build/package-deb.sh when missing or stale)
//   --floor     also boot the first agent package with its executable swapped for one of the same pinned Node that
//               does nothing (bench/boot-floor.mjs): what starting Node from the root disk costs, the agent's floor
//   --cloud-init  also boot the image with Debian's cloud-init and a baked NoCloud seed (its base is built once
//               from the host's apt mirror by test/vm/setup/debian-cloud-init-image.sh)
// Writes every boot and the medians to .cache/vm/boot-compare.json; consoles in .cache/vm/logs/boot-compare-*.log.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { floorDeb } from './boot-floor.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    agent: { type: 'string', multiple: true },
    floor: { type: 'boolean' },
    'cloud-init': { type: 'boolean' },
    timeout: { type: 'string', default: '300' },
    json: { type: 'boolean' },
    summarize: { type: 'string' },
  },
  strict: true,
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write(`boot-compare: --rounds takes a whole number >= 1, not ${values.rounds}\n`);
  process.exit(2);
}

// The VM helpers are TypeScript written for vitest: bundle them once into a CommonJS file and load that.
const work = mkdtempSync(join(tmpdir(), 'cloudlet-boot-compare-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
const bundle = join(work, 'boot-compare.cjs');
await build({
  entryPoints: [join(REPO, 'test', 'vm', 'boot-compare.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  outfile: bundle,
  logLevel: 'warning',
  // __dirname must stay test/vm (the guest scripts are read beside the module).
  define: { __dirname: JSON.stringify(join(REPO, 'test', 'vm')) },
});
const lib = createRequire(import.meta.url)(bundle);

if (values.summarize) {
  const saved = JSON.parse(readFileSync(values.summarize, 'utf8'));
  // The kernel timestamps are read again from the consoles that are still there (the reading may have improved).
  for (const s of saved.samples) if (existsSync(s.log)) s.kmsg = lib.kmsgTimes(readFileSync(s.log, 'utf8').replace(/\r\n/g, '\n'));
  process.stdout.write(lib.summaryText(lib.summarize(saved.variants, saved.samples), saved.rounds));
  process.exit(0);
}

const variants = [{ name: 'baseline', kind: 'baseline' }];
for (const spec of values.agent ?? []) {
  const at = spec.indexOf('=');
  if (at <= 0) {
    process.stderr.write(`boot-compare: --agent takes NAME=DEB, not ${spec}\n`);
    process.exit(2);
  }
  variants.push({ name: spec.slice(0, at), kind: 'agent', deb: resolve(spec.slice(at + 1)) });
}
if (!values.agent) variants.push({ name: 'agent', kind: 'agent', deb: lib.agentDeb() });
if (values.floor) {
  const agentDeb = variants.find((v) => v.kind === 'agent').deb;
  variants.push({ name: 'node-floor', kind: 'agent', deb: floorDeb({ repo: REPO, work, agentDeb }) });
}
if (values['cloud-init']) variants.push({ name: 'cloud-init', kind: 'cloud-init' });

lib.requireQemu();
process.stderr.write(`boot-compare: building ${variants.length} images\n`);
const images = lib.buildImages(variants);
const started = Date.now();
const out = join(lib.VM_CACHE, 'boot-compare.json');
mkdirSync(lib.VM_CACHE, { recursive: true });
const done = [];
// Written after every boot, so an interrupted comparison keeps what it measured (--summarize reads it).
const save = () =>
  writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), rounds, minutes: (Date.now() - started) / 60000, variants, summary: lib.summarize(variants, done), samples: done }, null, 2)}\n`);
const samples = await lib.compare(variants, images, rounds, Number(values.timeout) * 1000, (s) => {
  done.push(s);
  save();
  const what = s.failed ? `FAILED: ${s.failed}` : `${(s.wallMs / 1000).toFixed(2)} s to multi-user+ (agent run ${s.agentRunMs === undefined ? '-' : `${Math.round(s.agentRunMs)} ms`})`;
  process.stderr.write(`boot-compare: round ${s.round + 1}/${rounds} ${s.variant}: ${what} [${s.log}]\n`);
});
const summary = lib.summarize(variants, samples);
save();
if (values.json) process.stdout.write(`${JSON.stringify({ summary, samples }, null, 2)}\n`);
else process.stdout.write(`${lib.summaryText(summary, rounds)}\nevery boot: ${out}\n`);
