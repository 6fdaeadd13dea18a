// VM: docs/getting-started.md works as written: its sh blocks run in order in an empty directory, from
// debootstrap to a QEMU boot of the baked disk, and the console shows the agent's run and the rendered file.

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, VM_CACHE } from './paths';
import { sessionScript, shBlocks } from './sh-blocks';

const PAGE = 'docs/getting-started.md';
/** A guard, not a measure: debootstrap over the network plus a TCG boot; a hung step must not hang the tier. */
const RUN_TIMEOUT_MS = 2_400_000;

let work = '';

beforeAll(() => {
  for (const exe of ['cloudlet', 'cloudlet-agent']) {
    if (!existsSync(join(REPO, 'dist', exe))) throw new Error(`dist/${exe} is missing: run 'npm run build' first`);
  }
  work = mkdtempSync(join(tmpdir(), 'cloudlet-getting-started-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Session {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  logFile: string;
}

/** Runs the page's blocks with bash in `dir`, the built programs first on PATH and a private bake cache. */
function runPage(script: string, dir: string): Promise<Session> {
  const logDir = join(VM_CACHE, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, 'getting-started.log');
  const scriptFile = join(work, 'page.sh');
  writeFileSync(scriptFile, script);
  const env = {
    ...process.env,
    PATH: `${join(REPO, 'dist')}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    XDG_CACHE_HOME: join(work, 'cache'),
    DEBIAN_FRONTEND: 'noninteractive',
  };
  // Its own process group, so the guard stops debootstrap's and QEMU's children too.
  const child = spawn('bash', [scriptFile], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stderr.on('data', (b: Buffer) => chunks.push(b));
  const guard = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, RUN_TIMEOUT_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      const output = Buffer.concat(chunks).toString('utf8');
      writeFileSync(logFile, output);
      resolve({ code, signal, output, logFile });
    });
  });
}

describe('getting started page', () => {
  it('runs from nothing to a booted machine that shows the agent\'s run and the rendered template, never the secret', async () => {
    const markdown = readFileSync(join(REPO, PAGE), 'utf8');
    const blocks = shBlocks(markdown);
    const commands = blocks.map((b) => b.text).join('\n');
    // The page keeps every step the issue asks of it, each in a block that runs.
    for (const step of [/^debootstrap /m, /^cloudlet validate /m, /^cloudlet bake .*--target qcow2/m, /^cloud-localds /m, /^timeout \d+ qemu-system-x86_64 .*-accel tcg/m]) {
      expect(commands, `${PAGE} runs no ${String(step)}`).toMatch(step);
    }
    // The secret and the expected line come from the page itself, so the test follows the page.
    const secret = /"db_password":\s*"([^"]+)"/.exec(commands)?.[1];
    expect(secret, 'the page\'s user data has a db_password').toBeTruthy();
    const expected = /^grep -F '([^']+)' console\.log$/m.exec(commands)?.[1];
    expect(expected, 'the page greps console.log for the rendered line').toBeTruthy();
    // The line it greps for carries the user data's greeting, not the schema's default: proof the seed was read.
    const greeting = /"greeting":\s*"([^"]+)"/.exec(commands)?.[1];
    expect(greeting, 'the page\'s user data has a greeting').toBeTruthy();
    expect(expected).toContain(greeting);

    const dir = join(work, 'page');
    mkdirSync(dir);
    const run = await runPage(sessionScript(blocks, PAGE), dir);
    expect(run.signal, `the page did not finish in time; output: ${run.logFile}`).toBeNull();
    expect(run.code, `a command of the page failed; output: ${run.logFile}`).toBe(0);

    const consoleText = readFileSync(join(dir, 'console.log'), 'utf8').replace(/\r\n/g, '\n');
    writeFileSync(join(VM_CACHE, 'logs', 'getting-started-console.log'), consoleText);
    // The agent ran as init= from the baked disk, read the NoCloud seed, rendered, and handed over to systemd.
    expect(consoleText).toContain('init=/usr/lib/cloudlet/cloudlet-agent');
    expect(consoleText).toMatch(/cloudlet-agent: .*user data from nocloud/);
    expect(consoleText).toMatch(/cloudlet-agent: .*Rendered \d+ templates/);
    const finished = consoleText.indexOf('Finished cloudlet-agent');
    expect(finished, `console: ${run.logFile}`).toBeGreaterThan(-1);
    // The rendered motd, printed by the page's unit once systemd runs: tags replaced by the user data.
    const motdAt = consoleText.indexOf(expected ?? '\0');
    expect(motdAt, `console: ${run.logFile}`).toBeGreaterThan(finished);
    // The secret is in the user data, the seed and the image, but on no console and in no output of cloudlet.
    expect(consoleText).not.toContain(secret);
    expect(run.output).not.toContain(secret);
  }, RUN_TIMEOUT_MS + 60_000);
});
