// `completion bash|zsh|fish` and `man` of either program: the shell completions and the manual page, from the command table.

import { AgentError, EXIT } from '../errors';
import type { Command } from './command';
import { programModel } from './command-model';
import { bashCompletion } from './completion-bash';
import { fishCompletion } from './completion-fish';
import { zshCompletion } from './completion-zsh';
import { manPage } from './man-page';
import type { Program } from './program';
import type { System } from '../system/system';

const SHELLS = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion } as const;

export function completionCommand(name: string): Command {
  return {
    name: 'completion',
    usage: 'bash|zsh|fish',
    details: [
      `Prints the completion script for the shell, made from the command table of ${name}: every command and option`,
      'is in it. The Debian package installs all three.',
    ],
    examples: [
      `${name} completion bash > ~/.local/share/bash-completion/completions/${name}`,
      `${name} completion zsh > ~/.zfunc/_${name}`,
      `${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    ],
    flags: {},
    positionals: true,
    async run(args, system, program) {
      const [shell, ...extra] = args.positionals;
      const generate = shell !== undefined && Object.hasOwn(SHELLS, shell) ? SHELLS[shell as keyof typeof SHELLS] : undefined;
      if (generate === undefined || extra.length > 0) {
        const what = shell === undefined ? 'which shell?' : `no completion for "${[shell, ...extra].join(' ')}"`;
        throw new AgentError('E_USAGE', `${name} completion: ${what}`, {
          fix: `use one of ${Object.keys(SHELLS).map((s) => `"${name} completion ${s}"`).join(', ')}`,
        });
      }
      system.out(generate(await programModel(dispatching(program))).trimEnd());
      return EXIT.ok;
    },
  };
}

export function manCommand(name: string): Command {
  return {
    name: 'man',
    usage: '',
    details: [`Prints the manual page of ${name} (roff), made from its command table; the Debian package installs it in section 1.`],
    examples: [`${name} man | man -l -`, `${name} man > ${name}.1`],
    flags: {},
    async run(_args, system, program) {
      system.out(manPage(await programModel(dispatching(program)), pageDate(system)).trimEnd());
      return EXIT.ok;
    },
  };
}

/** The date a page carries: SOURCE_DATE_EPOCH's when set (a package build is reproducible), else today. */
function pageDate(system: System): string {
  const epoch = system.env.SOURCE_DATE_EPOCH;
  const when = epoch !== undefined && /^\d{1,12}$/.test(epoch) ? new Date(Number(epoch) * 1000) : system.now();
  return when.toISOString().slice(0, 10);
}

function dispatching(program: Program | undefined): Program {
  if (program === undefined) throw new AgentError('E_INTERNAL', 'a command that describes its program was run without one');
  return program;
}
