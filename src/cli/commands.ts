// Every command of the executable, in the order --help lists them.

import type { Command } from './command';
import { initCommand } from './init';
import { runCommand } from './run';
import { chrootCommand } from './chroot';
import { checkCommand } from './check';
import { factsCommand } from './facts';
import { renderCommand } from './render';
import { validateCommand } from './validate';
import { specsCommand } from './specs';
import { statusCommand } from './status';
import { analyzeCommand } from './analyze';
import { installCommand } from './install';

export const COMMANDS: readonly Command[] = [
  initCommand,
  runCommand,
  chrootCommand,
  checkCommand,
  factsCommand,
  renderCommand,
  validateCommand,
  specsCommand,
  statusCommand,
  analyzeCommand,
  installCommand,
];
