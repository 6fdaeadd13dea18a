// printOutcome: a dry-run plan and a failed run's error reach the console without secret values.

import { describe, expect, it } from 'vitest';
import { AgentError, EXIT } from '../../errors';
import { recordingReporter } from '../test-machine';
import type { System } from '../../system/system';
import { parseCommandArgs } from './command';
import { PIPELINE_FLAGS, printOutcome } from './pipeline-flags';
import type { PipelineOutcome } from './run-pipeline';

const SECRET = 'pf-secret-"value"-0042';

function capture(): { system: System; lines: string[] } {
  const lines: string[] = [];
  const system = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t) } as unknown as System;
  return { system, lines };
}

function outcome(system: System, extra: Partial<PipelineOutcome>): PipelineOutcome {
  return {
    ctx: {
      system,
      options: { root: '/img', mode: 'run', entrypoint: 'init', dryRun: true },
      reporter: recordingReporter(),
      state: { userData: { config: { pw: SECRET }, secrets: [SECRET] } },
    },
    policy: 'halt',
    exitCode: EXIT.ok,
    ...extra,
  };
}

const args = (...argv: string[]) => parseCommandArgs({ name: 'run', usage: '', details: [], examples: [], flags: PIPELINE_FLAGS, run: async () => EXIT.ok }, argv);

describe('printOutcome', () => {
  it('prints the dry-run plan, as text and as JSON, with any secret value replaced', () => {
    const plans = [{ name: 'templates', title: 'Templates', lines: [`render /etc/a (${SECRET})`], json: { note: SECRET } }];
    for (const argv of [['--dry-run'], ['--dry-run', '--json']]) {
      const { system, lines } = capture();
      printOutcome(system, args(...argv), outcome(system, { result: { plans, degraded: false } }));
      const text = lines.join('\n');
      expect(text).toContain('<secret>');
      expect(text).not.toContain('pf-secret');
    }
  });

  it('prints the error of a failed run as one readable report', () => {
    const { system, lines } = capture();
    const error = new AgentError('E_TEMPLATE', 'template /etc/a: bad', { where: '/etc/a:3', fix: 'fix line 3' });
    printOutcome(system, args(), outcome(system, { error, exitCode: EXIT.failed }));
    expect(lines.join('\n')).toBe('error E_TEMPLATE: template /etc/a: bad\n  where: /etc/a:3\n  fix: fix line 3');
  });
});
