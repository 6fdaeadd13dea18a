// Every command of `cloudlet`, in the order --help lists them: name and summary here, the rest on demand.
//
// A command's module, and the libraries only it needs, load when that command runs (as for the agent:
// src/agent/cli/commands.ts). Adding a command is one row here and one file beside it.

import type { CommandEntry } from '../../cli-kit/program';

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'bake', summary: 'bake an image into bootable disks: raw, qcow2, vmdk, ova, vhd, vhdx, gce, ami, xen', load: async () => (await import('./bake.js')).bakeCommand },
  { name: 'validate', summary: 'check a manifest, and user data against it, reporting every problem with its JSON path', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'specs', summary: 'print the JSON Schema of the manifest (default) or of the user data', load: async () => (await import('./specs.js')).specsCommand },
];
