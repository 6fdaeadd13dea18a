// Every command of the executable, in the order --help lists them: name and summary here, the rest on demand.
//
// A command's module, and the libraries only it needs (ajv, ejs, yaml, node-ipc ...), load when that
// command runs: `--version`, `--help` and `status` start without them. The bundle initialises a module
// reached only through import() when the import() runs.

import type { CommandEntry } from '../../cli-kit/program';

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'PID 1 mode: mount /proc, /sys, /dev, /run, run the pipeline on /, then exec the real init',
    load: async () => (await import('./init.js')).initCommand,
  },
  {
    name: 'run',
    summary: 'read user data, check requirements, mount, render templates; do not hand over',
    load: async () => (await import('./run.js')).runCommand,
  },
  {
    name: 'chroot',
    summary: "run the pipeline, then exec the chroot entry point's command inside the root",
    load: async () => (await import('./chroot.js')).chrootCommand,
  },
  {
    name: 'check',
    summary: "check an entry point's requirements (arch, kernel, memory, commands, ...) against this machine",
    load: async () => (await import('./check.js')).checkCommand,
  },
  {
    name: 'facts',
    summary: "this machine's facts (arch, kernel, cpus, memory, cpu flags, hypervisor) that requirements are checked against",
    load: async () => (await import('./facts.js')).factsCommand,
  },
  {
    name: 'render',
    summary: "render the image's templates from user data, without mounting or checking requirements",
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    name: 'validate',
    summary: 'check a manifest, and user data against it, reporting every problem with its JSON path',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'specs',
    summary: 'print the JSON Schema of the manifest (default) or of the user data',
    load: async () => (await import('./specs.js')).specsCommand,
  },
  {
    name: 'status',
    summary: "state of this boot's run: done, degraded, error, running or not started",
    load: async () => (await import('./status.js')).statusCommand,
  },
  {
    name: 'analyze',
    summary: "per-step timings of this boot's run: blame table, critical path, SVG timeline",
    load: async () => (await import('./analyze.js')).analyzeCommand,
  },
  {
    name: 'install',
    summary: 'bake the agent, a boot hook and the systemd units into an image tree',
    load: async () => (await import('./install.js')).installCommand,
  },
];
