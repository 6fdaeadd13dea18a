// Blackbox: a render killed (SIGKILL) at many points leaves every target whole, and the next run removes the temp files it left.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCommand, makeImage, runAgent, tempDir } from './harness';

const FILES = 12;
const KILLS = 12;
/** Lines per rendered file (~2.6 MB): long enough that a kill lands while files are being written. */
const LINES = 120_000;
const LINE = 'filler line of a large rendered file\n';
/** The agent's temp names (`.<name>.cloudlet-<boot>-<pid>-<random>`), loosely: any temp file of it counts. */
const TEMP = /^\..+\.cloudlet-[0-9a-z-]+$/;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

const names = Array.from({ length: FILES }, (_, i) => `f${String(i).padStart(2, '0')}.conf`);
const rendered = (round: number) => `round=${round}\n${LINE.repeat(LINES)}end=${round}\n`;
const TEMPLATE = `round=<%= config.round %>\n<%- ${JSON.stringify(LINE)}.repeat(${LINES}) %>end=<%= config.round %>\n`;

function setup(): { root: string; dirs: string[]; userData: (round: number) => string } {
  const img = makeImage(
    {
      cloudlet: '0.0.4',
      name: 'crash',
      version: '1.0.0',
      config: { schema: { type: 'object', properties: { round: { type: 'integer' } } } },
      templates: names.map((n) => `/srv/big/${n}`),
      entrypoints: { init: {} },
    },
    Object.fromEntries(names.map((n) => [`/srv/big/${n}`, TEMPLATE])),
  );
  cleanups.push(img.cleanup);
  const tmp = tempDir('cloudlet-crash-');
  cleanups.push(tmp.cleanup);
  const dirs = [join(img.root, 'srv/big'), join(img.root, '.cloudlet/templates/srv/big')];
  mkdirSync(dirs[1] as string, { recursive: true });
  return {
    root: img.root,
    dirs,
    userData: (round) => {
      const file = join(tmp.dir, `ud-${round}.json`);
      writeFileSync(file, JSON.stringify({ config: { round } }));
      return file;
    },
  };
}

const temps = (dirs: string[]) => dirs.flatMap((d) => readdirSync(d).filter((n) => TEMP.test(n)).map((n) => join(d, n)));

/**
 * Runs a render and kills it with SIGKILL once `after` temp files not in `before` have appeared (those in
 * `before` are leftovers the run may remove); resolves with how it ended.
 */
function renderKilledAfter(root: string, userData: string, dirs: string[], before: ReadonlySet<string>, after: number): Promise<NodeJS.Signals | number | null> {
  const [bin, ...pre] = agentCommand();
  const child = spawn(bin as string, [...pre, 'render', '--root', root, '--user-data', userData, '--quiet'], { stdio: 'ignore' });
  const seen = new Set<string>();
  const watchers: FSWatcher[] = dirs.map((dir) =>
    watch(dir, (_event, name) => {
      if (!name || !TEMP.test(name) || before.has(join(dir, name))) return;
      seen.add(name);
      if (seen.size >= after) child.kill('SIGKILL');
    }),
  );
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      for (const w of watchers) w.close();
      resolve(signal ?? code);
    });
  });
}

describe('a render killed mid-write', () => {
  it('leaves each target old or new and whole, and the next run removes every stale temp file', async () => {
    const { root, dirs, userData } = setup();
    const gone = spawnSync('true').pid as number;
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 12);
    const earlierBoot = boot === '0123456789ab' ? 'ba9876543210' : '0123456789ab';
    // What an earlier boot's agent (pid 1 in PID 1 mode) and a killed one of this boot left, and one a live writer holds.
    const planted = [`.f00.conf.cloudlet-${earlierBoot}-1-aaaa`, `.f01.conf.cloudlet-${boot}-${gone}-bbbb`];
    for (const name of planted) writeFileSync(join(dirs[0] as string, name), 'old secret\n');
    const held = join(dirs[0] as string, `.f02.conf.cloudlet-${boot}-${process.pid}-cccc`);
    writeFileSync(held, 'being written\n');

    const whole = new Set([TEMPLATE, ...Array.from({ length: KILLS + 2 }, (_, r) => rendered(r))]);
    let killed = 0;
    for (let round = 1; round <= KILLS; round++) {
      // Kill points move through the run: the first run takes pristine copies, later ones write targets, early and late.
      const after = 1 + ((round * 5) % FILES);
      const before = new Set(temps(dirs));
      const end = await renderKilledAfter(root, userData(round), dirs, before, after);
      if (end === 'SIGKILL') killed++;
      // A kill comes at a temp file, after the run removed the leftovers: they never pile up.
      for (const t of temps(dirs)) expect(t === held || !before.has(t), `${t} left before kill ${round}`).toBe(true);
      for (const n of names) expect(whole.has(readFileSync(join(dirs[0] as string, n), 'utf8')), `${n} after kill ${round}`).toBe(true);
      for (const n of readdirSync(dirs[1] as string).filter((f) => !TEMP.test(f))) expect(readFileSync(join(dirs[1] as string, n), 'utf8') === TEMPLATE, `pristine ${n} after kill ${round}`).toBe(true);
    }
    expect(killed, 'renders killed before they finished').toBeGreaterThan(0);

    const last = KILLS + 1;
    const r = runAgent(['render', '--root', root, '--user-data', userData(last)], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    expect(temps(dirs)).toEqual([held]);
    for (const n of names) expect(readFileSync(join(dirs[0] as string, n), 'utf8') === rendered(last), n).toBe(true);
    for (const n of names) expect(readFileSync(join(dirs[1] as string, n), 'utf8') === TEMPLATE, `pristine ${n}`).toBe(true);
    expect(existsSync(held)).toBe(true);
  });
});
