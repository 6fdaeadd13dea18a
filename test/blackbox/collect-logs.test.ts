// Blackbox: `collect-logs` writes one tar.gz (mode 0600) of the boot's records, console, journal, manifest and facts, no secret in any member.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent, type AgentRun } from './harness';
import { DEFAULT_SECRET, filesUnder, runImage, toolsImage, USER_SECRET, type ToolsImage } from './tools-support';

let image: ToolsImage;
let bundle: string;
let collect: AgentRun;
let unpacked: string;

beforeAll(() => {
  image = toolsImage();
  expect(runImage(image).code).toBe(0);
  bundle = join(image.scratch, 'out', 'logs.tar.gz');
  collect = runAgent(['collect-logs', '--root', image.root, '--run-dir', image.runDir, '-o', bundle], { namespace: false });
  unpacked = join(image.scratch, 'unpacked');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', bundle, '-C', unpacked], { encoding: 'utf8' });
  expect(tar.status, tar.stderr).toBe(0);
});
afterAll(() => image.cleanup());

describe('cloudlet-agent collect-logs', () => {
  it('writes one tar.gz, mode 0600, with every part under cloudlet-logs/', () => {
    expect(collect.code, collect.stderr).toBe(0);
    expect(statSync(bundle).mode & 0o777).toBe(0o600);
    expect(readdirSync(unpacked)).toEqual(['cloudlet-logs']);
    expect(readdirSync(join(unpacked, 'cloudlet-logs')).sort()).toEqual(
      ['console.txt', 'context.json', 'facts.json', 'journal.txt', 'manifest.json', 'report.json', 'status.json'].sort(),
    );
    expect(readdirSync(join(image.scratch, 'out'))).toEqual(['logs.tar.gz']);
  });

  it('prints what it put in', () => {
    for (const name of ['status.json', 'report.json', 'console.txt', 'journal.txt', 'manifest.json', 'facts.json']) {
      expect(collect.stdout).toContain(`cloudlet-logs/${name}`);
    }
    expect(collect.stdout).toContain(bundle);
  });

  it("holds the run's records, its console lines and this machine's facts", () => {
    const dir = join(unpacked, 'cloudlet-logs');
    expect(JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'))).toMatchObject({ state: 'done', image: { name: 'toolsdemo' } });
    expect(readFileSync(join(dir, 'console.txt'), 'utf8')).toMatch(/\[ {2}OK {2}\] Rendered 2 templates .*\n\[ {2}OK {2}\] Finished cloudlet-agent/);
    expect(JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8'))).toHaveProperty('arch');
    expect(readFileSync(join(dir, 'journal.txt'), 'utf8')).toContain('journalctl');
  });

  it('scrubs the secrets it can know, from the manifest, and from the records', () => {
    const manifest = readFileSync(join(unpacked, 'cloudlet-logs', 'manifest.json'), 'utf8');
    expect(manifest).toContain('"writeOnly": true');
    for (const f of filesUnder(unpacked)) {
      expect(f.text, f.path).not.toContain(USER_SECRET);
      expect(f.text, f.path).not.toContain(DEFAULT_SECRET);
    }
    const raw = gunzipSync(readFileSync(bundle)).toString('latin1');
    expect(raw).not.toContain(USER_SECRET);
    expect(raw).not.toContain(DEFAULT_SECRET);
    expect(collect.stdout + collect.stderr).not.toContain(USER_SECRET);
  });

  it('scrubs the writeOnly values of --user-data even from a record that holds them', () => {
    const runDir = join(image.scratch, 'tampered-run');
    mkdirSync(join(runDir, 'cloudlet'), { recursive: true });
    writeFileSync(join(runDir, 'cloudlet', 'status.json'), JSON.stringify({ version: 1, state: 'done', note: `pw ${USER_SECRET}` }));
    const out = join(image.scratch, 'tampered.tar.gz');
    const r = runAgent(['collect-logs', '--root', image.root, '--run-dir', runDir, '--user-data', image.userData, '-o', out, '--json'], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    const raw = gunzipSync(readFileSync(out)).toString('latin1');
    expect(raw).toContain('pw <secret>');
    expect(raw).not.toContain(USER_SECRET);
    const listed = JSON.parse(r.stdout) as { members: { name: string; note?: string }[] };
    expect(listed.members.map((m) => m.name)).toContain('cloudlet-logs/report.json.missing.txt');
  });

  it('--dry-run lists the members and writes nothing', () => {
    const out = join(image.scratch, 'dry', 'never.tar.gz');
    const r = runAgent(['collect-logs', '--root', image.root, '--run-dir', image.runDir, '-o', out, '--dry-run'], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('cloudlet-logs/report.json');
    expect(r.stdout).toContain('nothing written');
    expect(existsSync(join(image.scratch, 'dry'))).toBe(false);
  });

  it('has --help with an example', () => {
    const r = runAgent(['collect-logs', '--help'], { namespace: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cloudlet-agent collect-logs -o /tmp/boot-logs.tar.gz');
  });
});
