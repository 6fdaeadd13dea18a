// Loads node-ipc on first use only: commands that never serve or query the socket never pay for it.

import type { IPCModule } from 'node-ipc';

export async function newIpc(): Promise<IPCModule> {
  const mod = await import('node-ipc');
  const ipc = new mod.IPCModule();
  // node-ipc logs to stdout by default, which would mix with the agent's own output.
  ipc.config.silent = true;
  return ipc;
}
