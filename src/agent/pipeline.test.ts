import { describe, expect, it } from 'vitest';
import { AgentError } from '../errors';
import { runPipeline } from './pipeline';
import type { RunContext, Step } from './step';
import type { ItemEvent, Reporter, RunStateName, StepOutcome } from './status/reporter';
import type { System } from '../system/system';

interface Recorded {
  starts: string[];
  ends: Array<{ step: string; outcome: StepOutcome; summary: string }>;
}

function recordingReporter(rec: Recorded): Reporter {
  return {
    begin: async () => {},
    stepStart: (step) => void rec.starts.push(step),
    stepEnd: (step, outcome, summary) => void rec.ends.push({ step, outcome, summary }),
    item: (_step: string, _e: ItemEvent) => {},
    info: () => {},
    finish: async (_s: RunStateName) => {},
  };
}

function context(dryRun: boolean, rec: Recorded): RunContext {
  let clock = 0;
  const system = { monotonicMs: () => (clock += 5) } as unknown as System;
  return { system, options: { root: '/', mode: 'run', entrypoint: 'init', dryRun }, reporter: recordingReporter(rec), state: {} };
}

function step(name: string, log: string[], fail = false): Step<string> {
  return {
    name,
    title: `Step ${name}`,
    plan: async () => {
      log.push(`plan ${name}`);
      if (fail) throw new AgentError('E_TEMPLATE', `${name} broke`);
      return `${name}-plan`;
    },
    describe: (p) => [p],
    toJSON: (p) => ({ p }),
    apply: async () => {
      log.push(`apply ${name}`);
      return { summary: `did ${name}` };
    },
  };
}

describe('runPipeline', () => {
  it('plans and applies each step in order', async () => {
    const log: string[] = [];
    const rec: Recorded = { starts: [], ends: [] };
    await runPipeline(context(false, rec), [step('a', log), step('b', log)]);
    expect(log).toEqual(['plan a', 'apply a', 'plan b', 'apply b']);
    expect(rec.ends.map((e) => e.outcome)).toEqual(['ok', 'ok']);
  });

  it('applies nothing in a dry run but still plans every step', async () => {
    const log: string[] = [];
    const rec: Recorded = { starts: [], ends: [] };
    const result = await runPipeline(context(true, rec), [step('a', log), step('b', log)]);
    expect(log).toEqual(['plan a', 'plan b']);
    expect(result.plans.map((p) => p.lines)).toEqual([['a-plan'], ['b-plan']]);
    expect(rec.ends.map((e) => e.outcome)).toEqual(['planned', 'planned']);
  });

  it('stops at the first failing step, reports it failed and applies nothing after it', async () => {
    const log: string[] = [];
    const rec: Recorded = { starts: [], ends: [] };
    await expect(runPipeline(context(false, rec), [step('a', log), step('b', log, true), step('c', log)])).rejects.toMatchObject({ code: 'E_TEMPLATE' });
    expect(log).toEqual(['plan a', 'apply a', 'plan b']);
    expect(rec.ends.at(-1)).toMatchObject({ step: 'b', outcome: 'failed' });
    expect(rec.starts).not.toContain('c');
  });

  it('stops a dry run with the error the run would stop with, when the plan already knows it', async () => {
    const doomed = (log: string[]): Step<string> => ({
      ...step('b', log),
      failure: (p) => new AgentError('E_STORAGE', `${p} cannot be carried out`),
    });
    for (const dryRun of [true, false]) {
      const log: string[] = [];
      const rec: Recorded = { starts: [], ends: [] };
      await expect(runPipeline(context(dryRun, rec), [step('a', log), doomed(log), step('c', log)])).rejects.toMatchObject({
        code: 'E_STORAGE',
        message: 'b-plan cannot be carried out',
      });
      expect(log).toEqual(dryRun ? ['plan a', 'plan b'] : ['plan a', 'apply a', 'plan b']);
      expect(rec.ends.at(-1)).toMatchObject({ step: 'b', outcome: 'failed' });
      expect(rec.starts).not.toContain('c');
    }
  });

  it('goes on when a plan foresees no failure', async () => {
    const log: string[] = [];
    const rec: Recorded = { starts: [], ends: [] };
    await runPipeline(context(true, rec), [{ ...step('a', log), failure: () => undefined }, step('b', log)]);
    expect(rec.ends.map((e) => e.outcome)).toEqual(['planned', 'planned']);
  });

  it('skips disabled steps', async () => {
    const log: string[] = [];
    const rec: Recorded = { starts: [], ends: [] };
    const off = { ...step('off', log), enabled: () => false };
    await runPipeline(context(false, rec), [off, step('on', log)]);
    expect(log).toEqual(['plan on', 'apply on']);
  });

  it('releases what each applied step holds, last first, when a later step fails, and nothing of a step never applied', async () => {
    const log: string[] = [];
    const rec: Recorded = { starts: [], ends: [] };
    const holding = (name: string, fail = false): Step<string> => ({ ...step(name, log, fail), release: async () => void log.push(`release ${name}`) });
    await expect(runPipeline(context(false, rec), [holding('a'), holding('b'), holding('c', true), holding('d')])).rejects.toMatchObject({ code: 'E_TEMPLATE' });
    expect(log).toEqual(['plan a', 'apply a', 'plan b', 'apply b', 'plan c', 'release b', 'release a']);
  });

  it('releases after complete on success, and never in a dry run', async () => {
    const log: string[] = [];
    const withEnd = (name: string): Step<string> => ({
      ...step(name, log),
      complete: async () => void log.push(`complete ${name}`),
      release: async () => void log.push(`release ${name}`),
    });
    await runPipeline(context(false, { starts: [], ends: [] }), [withEnd('a'), withEnd('b')]);
    expect(log).toEqual(['plan a', 'apply a', 'plan b', 'apply b', 'complete a', 'complete b', 'release b', 'release a']);
    log.length = 0;
    await runPipeline(context(true, { starts: [], ends: [] }), [withEnd('a')]);
    expect(log).toEqual(['plan a']);
  });
});
