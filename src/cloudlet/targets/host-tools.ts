// The host programs the targets run (qemu-img, gzip, xmllint), found without relying on PATH and run through the System.

import { AgentError } from '../../errors';
import type { ExecResult, System } from '../../system/system';
import { findTool } from '../../system/tools';

const PACKAGES = { 'qemu-img': 'qemu-utils', gzip: 'gzip', xmllint: 'libxml2-utils' } as const;

export type HostTool = keyof typeof PACKAGES;

/** Converting or compressing a disk of tens of GiB takes minutes; an hour means something hangs. */
const CONVERT_TIMEOUT_MS = 3_600_000;

async function locate(system: System, tool: HostTool): Promise<string> {
  const path = await findTool(system, tool);
  if (path !== null) return path;
  throw new AgentError('E_BAKE_TOOL', `${tool} is not installed`, { where: tool, fix: `apt-get install --no-install-recommends ${PACKAGES[tool]}` });
}

/** Runs a tool and returns what it did, whatever its exit code; a missing tool is E_BAKE_TOOL. */
export async function runHostTool(system: System, tool: HostTool, args: string[], input?: Buffer): Promise<ExecResult> {
  return system.exec(await locate(system, tool), args, { timeoutMs: CONVERT_TIMEOUT_MS, ...(input ? { input } : {}) });
}

/** Runs a tool that must succeed: a failure is E_BAKE_TOOL quoting the end of its stderr. */
export async function mustRun(system: System, tool: HostTool, args: string[]): Promise<ExecResult> {
  const r = await runHostTool(system, tool, args);
  if (r.code !== 0) {
    const why = (r.stderr || r.stdout).trim().split('\n').slice(-3).join('; ') || (r.signal ? `killed by ${r.signal}` : `exit ${r.code}`);
    throw new AgentError('E_BAKE_TOOL', `${tool} ${args.join(' ')} failed: ${why}`, {
      where: args[args.length - 1] ?? tool,
      fix: 'check the free space of the output directory and the tool\'s message above',
    });
  }
  return r;
}
