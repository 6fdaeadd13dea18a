// The journal excerpt: a note without journalctl, the agent's units and its kernel-log lines with it, errors kept inside.

import { afterEach, describe, expect, it } from 'vitest';
import type { ExecResult } from '../../system/system';
import { fakeSystem, type FakeSystem } from '../status/test-fixtures';
import { AGENT_UNITS, journalExcerpt } from './journal';

const made: FakeSystem[] = [];
afterEach(() => {
  for (const s of made.splice(0)) s.cleanup();
});

function systemAnswering(answer: (args: string[]) => ExecResult) {
  const calls: string[][] = [];
  const base = fakeSystem();
  made.push(base);
  const system = { ...base, exec: async (_file: string, args: string[]) => (calls.push(args), answer(args)) };
  return { system, calls };
}

const ok = (stdout: string): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });

describe('journalExcerpt', () => {
  it('is a note when the machine has no journalctl', async () => {
    const { system, calls } = systemAnswering(() => ok(''));
    const excerpt = await journalExcerpt(system, null);
    expect(excerpt.note).toContain('journalctl is not installed');
    expect(excerpt.text).toContain('journalctl is not installed');
    expect(calls).toEqual([]);
  });

  it("asks for the agent's units of this boot and keeps only the agent's kernel-log lines", async () => {
    const { system, calls } = systemAnswering((args) =>
      args.includes('-k') ? ok('kernel: usb 1-1: new device\nkernel: cloudlet-agent: [  OK  ] Rendered 2 templates\n') : ok('systemd[1]: Starting cloudlet-agent.service\n'),
    );
    const excerpt = await journalExcerpt(system, '/usr/bin/journalctl');
    expect(excerpt.note).toBeUndefined();
    for (const unit of AGENT_UNITS) expect(calls[0]).toContain(unit);
    expect(calls[0]).toContain('-b');
    expect(excerpt.text).toContain('Starting cloudlet-agent.service');
    expect(excerpt.text).toContain('cloudlet-agent: [  OK  ] Rendered 2 templates');
    expect(excerpt.text).not.toContain('usb 1-1');
  });

  it("keeps journalctl's error inside and says so", async () => {
    const { system } = systemAnswering(() => ({ code: 1, signal: null, stdout: '', stderr: 'No journal files were found.' }));
    const excerpt = await journalExcerpt(system, '/usr/bin/journalctl');
    expect(excerpt.note).toContain('journalctl failed');
    expect(excerpt.text).toContain('No journal files were found.');
  });
});
