// Every command of the executable, in the order --help lists them: name and summary here, the rest on demand.
//
// A command's module, and the libraries only it needs (ajv, ejs, yaml, node-ipc ...), load when that
// command runs: `--version`, `--help` and `status` start without them. The bundle initialises a module
// reached only through import() when the import() runs.

import type { CommandEntry } from '../../cli-kit/program';
import { AGENT_NAME } from './command';

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
    summary: 'check a manifest, user data against it and the image tree, reporting every problem with its JSON path',
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
    name: 'query',
    summary: "the template context (env, meta, config) of this boot's run, or one key of it; secrets redacted",
    load: async () => (await import('./query.js')).queryCommand,
  },
  {
    name: 'clean',
    summary: "forget this machine's boot record (next boot is a first boot); --image: strip what render left in a build tree",
    load: async () => (await import('./clean.js')).cleanCommand,
  },
  {
    name: 'collect-logs',
    summary: "one tar.gz of this boot's status, report, console lines, journal, manifest and facts, secrets scrubbed",
    load: async () => (await import('./collect-logs.js')).collectLogsCommand,
  },
  {
    name: 'install',
    summary: 'bake the agent, a boot hook and the systemd units into an image tree',
    load: async () => (await import('./install.js')).installCommand,
  },
  {
    name: 'completion',
    summary: 'print the completion script for bash, zsh or fish',
    load: async () => (await import('../../cli-kit/completion-command.js')).completionCommand(AGENT_NAME),
  },
  {
    name: 'man',
    summary: 'print the manual page (roff)',
    load: async () => (await import('../../cli-kit/completion-command.js')).manCommand(AGENT_NAME),
  },
];
