import { afterEach, describe, expect, it } from 'vitest';
import type { RunContext } from './step';
import type { Reporter, RunInfo } from './status/reporter';
import type { System } from '../system/system';
import { manifestStep } from './manifest-step';
import { exampleManifest, imageWith } from '../manifest/test-fixtures';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function context(root: string, infos: RunInfo[]): RunContext {
  const reporter: Reporter = {
    begin: async () => undefined,
    stepStart: () => undefined,
    stepEnd: () => undefined,
    item: () => undefined,
    info: (info) => void infos.push(info),
    finish: async () => undefined,
  };
  return {
    system: {} as System,
    options: { root, mode: 'run', entrypoint: 'init', dryRun: false },
    reporter,
    state: {},
  };
}

describe('manifestStep', () => {
  it('plans by loading the manifest into the run state, and reports the image on apply', async () => {
    const { root, cleanup } = imageWith(exampleManifest());
    cleanups.push(cleanup);
    const infos: RunInfo[] = [];
    const ctx = context(root, infos);
    const plan = await manifestStep.plan(ctx);
    expect(ctx.state.manifest?.name).toBe('hello');
    expect(infos).toEqual([]);
    expect(manifestStep.describe(plan)[1]).toBe('entry points: kernel, init, chroot');
    expect(manifestStep.toJSON(plan)).toMatchObject({ name: 'hello', version: '1.2.0', hash: plan.manifest.hash, entrypoints: ['kernel', 'init', 'chroot'] });
    const result = await manifestStep.apply(plan, ctx);
    expect(result.summary).toBe('Loaded manifest hello 1.2.0');
    expect(infos).toEqual([{ image: { name: 'hello', version: '1.2.0' }, manifestHash: plan.manifest.hash }]);
  });

  it('warns of config.schema keywords JSON Schema ignores, in the plan and on the console line, and goes on', async () => {
    const schema = { type: 'object', properties: { db_password: { type: 'string', writeonly: true } } };
    const { root, cleanup } = imageWith({ ...exampleManifest(), config: { schema } });
    cleanups.push(cleanup);
    const ctx = context(root, []);
    const plan = await manifestStep.plan(ctx);
    const warning = 'warning: /config/schema/properties/db_password/writeonly: unknown keyword "writeonly"';
    expect(manifestStep.describe(plan).at(-1)).toContain(warning);
    expect(manifestStep.toJSON(plan)).toMatchObject({ warnings: [expect.stringContaining(warning)] });
    const result = await manifestStep.apply(plan, ctx);
    expect(result.summary).toMatch(/^Loaded manifest hello 1\.2\.0; warning: .*did you mean "writeOnly"/);
    expect(result.outcome).toBeUndefined();
  });

  it('fails the plan with E_MANIFEST_INVALID and leaves the state empty', async () => {
    const { root, cleanup } = imageWith({ ...exampleManifest(), persistent: ['relative'] });
    cleanups.push(cleanup);
    const ctx = context(root, []);
    await expect(manifestStep.plan(ctx)).rejects.toMatchObject({ code: 'E_MANIFEST_INVALID', problems: [{ path: '/persistent/0' }] });
    expect(ctx.state.manifest).toBeUndefined();
  });
});
