// `once` templates on real temp trees: rendered on an instance's first boot, left alone on later ones.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TemplateSpec } from '../../manifest/types';
import type { Mode, RunContext } from '../step';
import type { ItemEvent, Reporter } from '../status/reporter';
import type { System } from '../../system/system';
import { completeBoot } from '../instance/state';
import { templatesStep } from './step';
import { FACTS, fakeManifest, SOURCE, USER_DATA } from './test-fixtures';

let root: string;
let run: string;

beforeEach(() => {
  const base = mkdtempSync(join(tmpdir(), 'cloudlet-once-'));
  root = join(base, 'root');
  run = join(base, 'run');
  mkdirSync(run, { recursive: true });
  put('/etc/keys', 'key-for=<%= config.greeting %>\n');
  put('/etc/motd', 'hi=<%= config.greeting %>\n');
});

afterEach(() => rmSync(dirname(root), { recursive: true, force: true }));

function put(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

const read = (path: string) => readFileSync(join(root, path), 'utf8');
const TEMPLATES: TemplateSpec[] = [{ path: '/etc/keys', once: true }, { path: '/etc/motd' }];

function context(firstBoot: boolean | undefined, greeting: string, events: ItemEvent[] = [], mode: Mode = 'run'): RunContext {
  const system = { hostPaths: { proc: '/proc', sys: '/sys', dev: '/dev', run }, monotonicMs: () => 1 } as unknown as System;
  const reporter = { item: (_s: string, e: ItemEvent) => void events.push(e) } as unknown as Reporter;
  return {
    system,
    options: { root, mode, entrypoint: 'init', dryRun: false },
    reporter,
    state: {
      manifest: fakeManifest(TEMPLATES),
      facts: FACTS,
      source: SOURCE,
      userData: { ...USER_DATA, config: { ...USER_DATA.config, greeting } },
      ...(firstBoot === undefined ? {} : { firstBoot }),
    },
  };
}

async function boot(ctx: RunContext): Promise<string> {
  const plan = await templatesStep.plan(ctx);
  return (await templatesStep.apply(plan, ctx)).summary;
}

describe('once templates', () => {
  it('are rendered on the first boot and left as they are, edits included, on later boots', async () => {
    await boot(context(true, 'first'));
    expect(read('/etc/keys')).toBe('key-for=first\n');
    put('/etc/keys', 'edited by the owner\n');
    const events: ItemEvent[] = [];
    const summary = await boot(context(false, 'second', events));
    expect(read('/etc/keys')).toBe('edited by the owner\n');
    expect(read('/etc/motd')).toBe('hi=second\n');
    expect(summary).toBe('Rendered 1 template (1 changed; 1 first-boot-only left as it is)');
    expect(events.find((e) => e.name === '/etc/keys')).toMatchObject({ outcome: 'skipped', detail: expect.stringMatching(/first boot of this instance only/) });
  });

  it('are not restored from the pristine copy when the file was removed after the first boot', async () => {
    await boot(context(true, 'first'));
    rmSync(join(root, 'etc/keys'));
    await boot(context(false, 'second'));
    expect(() => read('/etc/keys')).toThrow(/ENOENT/);
  });

  it('are rendered again from the pristine copy on the first boot of a clone', async () => {
    await boot(context(true, 'first'));
    await boot(context(true, 'clone'));
    expect(read('/etc/keys')).toBe('key-for=clone\n');
  });

  it('say in the plan that they are skipped, and why', async () => {
    const plan = await templatesStep.plan(context(false, 'x'));
    expect(templatesStep.describe(plan)).toContain(
      'skip /etc/keys (once: rendered on the first boot of this instance only, which is done; the file is left as it is)',
    );
    expect(plan.items.map((t) => t.path)).toEqual(['/etc/motd']);
  });

  it('under render, which is no boot, follow the image\'s boot record: rendered on a build tree, skipped after a first boot', async () => {
    const fresh = await templatesStep.plan(context(undefined, 'x', [], 'render'));
    expect(fresh.items.map((t) => t.path)).toEqual(['/etc/keys', '/etc/motd']);
    await completeBoot(root, SOURCE.instanceId ?? null);
    const booted = await templatesStep.plan(context(undefined, 'x', [], 'render'));
    expect(booted.skipped.map((t) => t.path)).toEqual(['/etc/keys']);
  });
});
