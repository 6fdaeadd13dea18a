// Proves the build's node-ipc handling: a SEA built the same way serves a unix socket and answers.
//
// Usage: node build/smoke-node-ipc.mjs   (exit 0 and "node-ipc smoke: ok" when it works)
// It bundles a small entry that loads node-ipc lazily (as src/agent/status/ does), builds a SEA from it
// under .cache/smoke/, starts it as a server, and asks it a question from a second process with
// the client in `sync` mode (the path that needs the bundled js-queue). The bundle and executable
// live outside the repository: a SEA's createRequire() resolves from the bundle's build-time path,
// so next to node_modules a missing bundling step would go unnoticed.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.mjs';
import { buildSea } from './sea.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = join(REPO, '.cache', 'smoke');

const ENTRY = `
const [mode, socketPath] = process.argv.slice(2);
async function main() {
  const { IPCModule } = await import('node-ipc');
  const ipc = new IPCModule();
  ipc.config.silent = true;
  ipc.config.maxRetries = 0;
  if (mode === 'serve') {
    ipc.serve(socketPath, () => {
      ipc.server.on('question', (data, socket) => {
        ipc.server.emit(socket, 'answer', { state: 'done', echo: data.n, execve: typeof process.execve });
        setTimeout(() => { ipc.server.stop(); process.exit(0); }, 50);
      });
      process.stdout.write('ready\\n');
    });
    ipc.server.start();
  } else {
    ipc.config.sync = true;
    ipc.connectTo('agent', socketPath, () => {
      ipc.of.agent.on('connect', () => ipc.of.agent.emit('question', { n: 42 }));
      ipc.of.agent.on('answer', (data) => { process.stdout.write(JSON.stringify(data) + '\\n'); process.exit(0); });
      ipc.of.agent.on('error', (err) => { process.stderr.write('client error: ' + err.message + '\\n'); process.exit(1); });
    });
  }
}
main().catch((err) => { process.stderr.write(String(err && err.stack || err) + '\\n'); process.exit(1); });
setTimeout(() => { process.stderr.write(mode + ': no exchange within 10 s\\n'); process.exit(1); }, 10000).unref();
`;

function fail(message) {
  process.stderr.write(`node-ipc smoke: FAILED: ${message}\n`);
  process.exit(1);
}

async function main() {
  mkdirSync(SOURCE, { recursive: true });
  const entry = join(SOURCE, 'entry.js');
  writeFileSync(entry, ENTRY);
  const work = mkdtempSync(join(tmpdir(), 'cloudlet-smoke-'));
  process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  const bundleFile = join(work, 'smoke.cjs');
  await bundle({ entry, outfile: bundleFile, repo: REPO });
  const executable = join(work, 'smoke-sea');
  buildSea({ repo: REPO, bundleFile, executable, workDir: work });

  const socketPath = join(work, 'agent.sock');
  const env = { ...process.env, NODE_PATH: '' };
  const server = spawn(executable, ['serve', socketPath], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let serverErr = '';
  server.stderr.on('data', (d) => (serverErr += d));
  const ready = await new Promise((resolveReady) => {
    server.stdout.on('data', (d) => String(d).includes('ready') && resolveReady(true));
    server.on('exit', () => resolveReady(false));
  });
  if (!ready) fail(`server did not start: ${serverErr.trim()}`);

  const client = spawnSync(executable, ['ask', socketPath], { encoding: 'utf8', timeout: 15000, env });
  const serverExit = await new Promise((r) => (server.exitCode !== null ? r(server.exitCode) : server.on('exit', r)));
  if (client.status !== 0) fail(`client exit ${client.status}: ${client.stderr.trim()}`);
  let answer;
  try {
    answer = JSON.parse(client.stdout.trim());
  } catch {
    fail(`client printed no JSON answer: ${client.stdout.trim()}`);
  }
  if (answer.state !== 'done' || answer.echo !== 42) fail(`unexpected answer ${client.stdout.trim()}`);
  if (answer.execve !== 'function') fail('process.execve is missing inside the SEA');
  if (serverExit !== 0) fail(`server exit ${serverExit}: ${serverErr.trim()}`);
  process.stdout.write(`node-ipc smoke: ok (answer ${JSON.stringify(answer)} over ${socketPath})\n`);
}

main().catch((err) => fail(err.message));
