// Blackbox: `query` prints the context the run rendered with, one key or all; secrets never; unknown keys near ones.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgent, type AgentRun } from './harness';
import { DEFAULT_SECRET, runImage, toolsImage, USER_SECRET, type ToolsImage } from './tools-support';

let image: ToolsImage;
const outputs: AgentRun[] = [];
function agent(args: string[]): AgentRun {
  const r = runAgent(args, { namespace: false });
  outputs.push(r);
  return r;
}

beforeAll(() => {
  image = toolsImage();
  const r = runImage(image);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => image.cleanup());

describe('cloudlet-agent query', () => {
  it('prints the whole context as JSON: env, meta and config, writeOnly values redacted', () => {
    const r = agent(['query', '--run-dir', image.runDir]);
    expect(r.code, r.stderr).toBe(0);
    const context = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(context).sort()).toEqual(['config', 'env', 'meta']);
    expect(context.env).toMatchObject({ platform: 'arg', firstBoot: true });
    expect(context.config).toMatchObject({ greeting: 'hello', db: { user: 'app', password: '<secret>' }, token: '<secret>' });
  });

  it('prints a string key as it is, and other values as JSON', () => {
    expect(agent(['query', 'config.db.user', '--run-dir', image.runDir]).stdout).toBe('app\n');
    expect(agent(['query', 'config.db.user', '--json', '--run-dir', image.runDir]).stdout).toBe('"app"\n');
    expect(JSON.parse(agent(['query', 'env.firstBoot', '--run-dir', image.runDir]).stdout)).toBe(true);
    expect(agent(['query', 'env.instanceId', '--run-dir', image.runDir]).stdout).toBe('null\n');
  });

  it('redacts a writeOnly key asked for by name', () => {
    const r = agent(['query', 'config.db.password', '--run-dir', image.runDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('<secret>\n');
  });

  it('refuses an unknown key with exit 2, naming the nearest keys', () => {
    const r = agent(['query', 'config.db.usr', '--run-dir', image.runDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown key "config.db.usr"');
    expect(r.stderr).toContain('did you mean "config.db.user"?');
    expect(r.stderr).toContain('config.db.password');
  });

  it('says there is nothing to query when no run recorded a context', () => {
    const r = agent(['query', '--run-dir', `${image.runDir}-none`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no template context recorded this boot');
  });

  it('has --help with an example', () => {
    const r = agent(['query', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cloudlet-agent query meta.instanceId');
  });

  it('never printed a secret', () => {
    for (const o of outputs) {
      for (const secret of [USER_SECRET, DEFAULT_SECRET]) {
        expect(o.stdout).not.toContain(secret);
        expect(o.stderr).not.toContain(secret);
      }
    }
  });
});
