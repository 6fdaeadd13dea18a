// Where the VM tier keeps its cache and finds the setup scripts and the agent's build outputs.

import { resolve } from 'node:path';

export const REPO = resolve(__dirname, '..', '..');
export const VM_CACHE = process.env.CLOUDLET_VM_CACHE ?? resolve(REPO, '.cache', 'vm');
export const SETUP = resolve(REPO, 'test', 'vm', 'setup');
