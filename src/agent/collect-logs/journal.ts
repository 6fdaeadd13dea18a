// The journal excerpt of this boot: the agent's units, and the lines the agent copied into the kernel log.

import type { System } from '../../system/system';

/** The units the .deb installs (systemd/); an initramfs or init= run leaves its lines in the kernel log instead. */
export const AGENT_UNITS = ['cloudlet-agent.service', 'cloudlet-agent-ready.target'];
/** journalctl reads from disk; on a slow or huge journal the excerpt is cut rather than waited for. */
const JOURNAL_TIMEOUT_MS = 20_000;
const MAX_LINES = '5000';
/** Lines of the agent in the kernel log carry this prefix (status/kmsg.ts). */
const KMSG_PREFIX = 'cloudlet-agent: ';

/** journal.txt's text; `journalctl` is its path, or null when the machine has none (the excerpt is then a note). */
export async function journalExcerpt(system: System, journalctl: string | null): Promise<{ text: string; note?: string }> {
  if (journalctl === null) {
    const note = 'journalctl is not installed on this machine: no journal excerpt (console.txt has the lines report.json records)';
    return { text: note + '\n', note };
  }
  const units = await run(system, journalctl, ['-b', '--no-pager', '-o', 'short-precise', '-n', MAX_LINES, ...AGENT_UNITS.flatMap((u) => ['-u', u])]);
  const kernel = await run(system, journalctl, ['-b', '-k', '--no-pager', '-o', 'short-precise', '-n', '100000']);
  const agentKernel = kernel.ok ? kernel.text.split('\n').filter((l) => l.includes(KMSG_PREFIX)) : [kernel.text];
  const text = [
    `# journalctl -b -u ${AGENT_UNITS.join(' -u ')}`,
    units.text.trimEnd(),
    '',
    `# journalctl -b -k, the agent's lines ("${KMSG_PREFIX.trim()}")`,
    ...(agentKernel.length ? agentKernel : ['(none)']),
    '',
  ].join('\n');
  return units.ok && kernel.ok ? { text } : { text, note: 'journalctl failed; its error is inside' };
}

async function run(system: System, file: string, args: string[]): Promise<{ ok: boolean; text: string }> {
  try {
    const r = await system.exec(file, args, { timeoutMs: JOURNAL_TIMEOUT_MS });
    if (r.code === 0) return { ok: true, text: r.stdout };
    return { ok: false, text: `journalctl exited ${r.code ?? r.signal}: ${(r.stderr || r.stdout).trim()}` };
  } catch (err) {
    return { ok: false, text: `journalctl could not run: ${(err as Error).message}` };
  }
}
