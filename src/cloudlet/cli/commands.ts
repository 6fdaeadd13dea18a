// Every command of `cloudlet`, in the order --help lists them: name and summary here, the rest on demand.
//
// A command's module, and the libraries only it needs, load when that command runs (as for the agent:
// src/agent/cli/commands.ts). Adding a command is one row here and one file beside it.

import type { CommandEntry } from '../../cli-kit/program';

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'bake', summary: 'bake an image into bootable disks: raw, qcow2, vmdk, ova, vhd, vhdx, gce, ami, xen', load: async () => (await import('./bake.js')).bakeCommand },
  { name: 'snapshot', summary: 'store a tree as an image version: one layer of what changed against its parent', load: async () => (await import('./snapshot.js')).snapshotCommand },
  { name: 'diff', summary: 'list what was added, removed and changed between two images or directories', load: async () => (await import('./diff.js')).diffCommand },
  { name: 'checkout', summary: 'materialise an image version of the store in a directory, owners, modes and xattrs included', load: async () => (await import('./checkout.js')).checkoutCommand },
  { name: 'push', summary: 'push an image of the store to an OCI registry, sending only the blobs it lacks', load: async () => (await import('./push.js')).pushCommand },
  { name: 'pull', summary: 'pull an image from an OCI registry into the store, verifying every blob', load: async () => (await import('./pull.js')).pullCommand },
  { name: 'validate', summary: 'check a manifest, user data against it and the image tree, reporting every problem with its JSON path', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'log', summary: 'show an image\'s history along its parents, or the tree of derived images in the store', load: async () => (await import('./log.js')).logCommand },
  { name: 'tag', summary: 'give an image of the store another NAME:VERSION', load: async () => (await import('./tag.js')).tagCommand },
  { name: 'rm', summary: 'remove names from the image store (blobs go at gc)', load: async () => (await import('./rm.js')).rmCommand },
  { name: 'gc', summary: 'remove the blobs of the image store that no named image or ancestor needs', load: async () => (await import('./gc.js')).gcCommand },
  { name: 'specs', summary: 'print the JSON Schema of the manifest (default) or of the user data', load: async () => (await import('./specs.js')).specsCommand },
  { name: 'completion', summary: 'print the completion script for bash, zsh or fish', load: async () => (await import('../../cli-kit/completion-command.js')).completionCommand('cloudlet') },
  { name: 'man', summary: 'print the manual page (roff)', load: async () => (await import('../../cli-kit/completion-command.js')).manCommand('cloudlet') },
];
