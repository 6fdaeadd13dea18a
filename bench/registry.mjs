// Registry rows of `npm run bench`: push of an unchanged image (0 layer bytes sent) beside a HEAD-only floor, same run.
//
// Debian's docker-registry runs on 127.0.0.1 (started here, stopped at the end). The image is a generated tree
// of about 32 MB snapshotted into a fresh store. The floor is one process (curl, or node without it) sending the
// HEAD requests of the image's blobs, the least a push that sends nothing can do; the unchanged push also starts
// cloudlet, opens the store, reads the manifest and PUTs it. Nothing is asserted.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { childrenCpuMs, median, runOnce } from './measure.mjs';

const FILES = 8;
const FILE_BYTES = 4 * 1024 * 1024;

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startRegistry(dir) {
  const port = await freePort();
  const config = join(dir, 'registry.yml');
  writeFileSync(config, ['version: 0.1', 'log:', '  level: info', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ''].join('\n'));
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const seen = (chunk) => {
      log += chunk.toString();
      if (log.includes('listening on')) resolve();
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => reject(new Error(`docker-registry exited (${code}) before listening: ${log.slice(-500)}`)));
  });
  return { port, child };
}

/** The floor: HEAD of every blob of the image, from one node process (what a push that sends nothing must ask). */
function headScript(urls) {
  return `const http=require('node:http');(async()=>{for(const u of ${JSON.stringify(urls)}){await new Promise((ok,no)=>{const r=http.request(u,{method:'HEAD'},(res)=>{res.resume();res.statusCode===200?ok():no(new Error(u+' '+res.statusCode));});r.on('error',no);r.end();});}})().catch((e)=>{console.error(e.message);process.exit(1);});`;
}

function timed(argv) {
  const cpuBefore = childrenCpuMs();
  const r = runOnce(argv);
  const cpu = childrenCpuMs() - cpuBefore;
  if (r.code !== 0) throw new Error(`${argv.slice(0, 3).join(' ')} failed (exit ${r.code}): ${`${r.stderr || r.stdout}`.trim().split('\n').slice(-3).join(' | ')}`);
  return { ms: r.ms, cpu, stdout: r.stdout };
}

export async function registryRows({ repo, work, runs }) {
  const cloudlet = join(repo, 'dist', 'cloudlet');
  const dir = join(work, 'registry');
  const tree = join(dir, 'tree');
  mkdirSync(tree, { recursive: true });
  for (let i = 0; i < FILES; i++) writeFileSync(join(tree, `blob-${i}.bin`), randomBytes(FILE_BYTES));
  const store = join(dir, 'store');
  timed([cloudlet, 'snapshot', tree, '--tag', 'bench:1', '--store', store]);
  const registry = await startRegistry(dir);
  try {
    const target = `127.0.0.1:${registry.port}/bench/image:1`;
    const push = () => JSON.parse(timed([cloudlet, 'push', 'bench:1', target, '--store', store, '--json']).stdout);
    const first = timed([cloudlet, 'push', 'bench:1', target, '--store', store, '--json']);
    const firstReport = JSON.parse(first.stdout);
    const index = JSON.parse(readFileSync(join(store, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(join(store, 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'));
    const urls = [manifest.config, ...manifest.layers].map((b) => `http://127.0.0.1:${registry.port}/v2/bench/image/blobs/${b.digest}`);
    // curl starts in a few ms, node in tens: the floor is the cheapest client there is on this machine.
    const curl = runOnce(['sh', '-c', 'command -v curl']).stdout.trim();
    const floorArgv = curl ? [curl, '-sfI', ...urls.flatMap((u) => ['-o', '/dev/null', u])] : [process.execPath, '-e', headScript(urls)];
    const floorName = curl ? 'one curl process' : 'one node process';
    push();
    timed(floorArgv);
    const pushes = [];
    const floors = [];
    let sent = 0;
    for (let i = 0; i < runs; i++) {
      const cpuBefore = childrenCpuMs();
      const started = performance.now();
      sent += push().sentBytes;
      pushes.push({ ms: performance.now() - started, cpu: childrenCpuMs() - cpuBefore });
      floors.push(timed(floorArgv));
    }
    return {
      runs,
      imageBytes: firstReport.sentBytes,
      blobs: urls.length,
      first: { ms: first.ms, sentBytes: firstReport.sentBytes },
      unchanged: { median: median(pushes.map((p) => p.ms)), cpu: median(pushes.map((p) => p.cpu)), sentBytes: sent },
      floor: { name: floorName, median: median(floors.map((f) => f.ms)), cpu: median(floors.map((f) => f.cpu)) },
    };
  } finally {
    registry.child.kill('SIGTERM');
  }
}

const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

export function showRegistry(r) {
  const table = [
    ['registry row', 'runs', 'median', 'cpu', 'floor', 'ratio', 'blob bytes sent'],
    ['push, first (all blobs)', '1', fmtMs(r.first.ms), '-', '-', '-', String(r.first.sentBytes)],
    ['push, unchanged image', String(r.runs), fmtMs(r.unchanged.median), fmtMs(r.unchanged.cpu), fmtMs(r.floor.median), `${(r.unchanged.median / r.floor.median).toFixed(2)}x`, `${r.unchanged.sentBytes} (target 0: ${r.unchanged.sentBytes === 0 ? 'met' : 'NOT MET'})`],
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return [
    `registry: docker-registry on 127.0.0.1, an image of ${r.blobs} blobs, ${(r.imageBytes / 1e6).toFixed(1)} MB; floor: ${r.floor.name} sending the ${r.blobs} HEAD requests`,
    '',
    ...lines,
    '',
  ].join('\n');
}
