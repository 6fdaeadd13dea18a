// Runs the built agent without blocking the event loop, so an emulator in the same process can answer it.

import { spawn } from 'node:child_process';
import { agentCommand, type AgentRun } from '../harness';

/** Like harness.runAgent, but asynchronous; a shell script when `script` is given ($AGENT names the agent). */
export function runAgentAsync(args: string[], options: { env?: Record<string, string>; timeoutMs?: number; script?: string } = {}): Promise<AgentRun> {
  const cmd = agentCommand();
  const full = options.script !== undefined
    ? ['unshare', '-m', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c', options.script]
    : ['unshare', '-m', '--propagation', 'private', ...cmd, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(full[0] as string, full.slice(1), {
      env: { ...process.env, AGENT: cmd.join(' '), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
