// Where this boot's status files and socket live: <run>/cloudlet/, with <run> = /run unless moved.

import { join } from 'node:path';

export interface StatusPaths {
  dir: string;
  status: string;
  report: string;
  socket: string;
}

/** `run` is the machine's /run (System.hostPaths.run), or the --run-dir of tests and chroots. */
export function statusPaths(run: string): StatusPaths {
  const dir = join(run, 'cloudlet');
  return { dir, status: join(dir, 'status.json'), report: join(dir, 'report.json'), socket: join(dir, 'agent.sock') };
}
