// Picks the command of a program for a command line and turns every outcome into an exit code.

import { AgentError, EXIT, asAgentError, type ExitCode } from '../errors';
import type { System } from '../system/system';
import { helpText, parseCommandArgs } from './command';
import { didYouMean } from './nearest-name';
import { usageText, versionText, type CommandEntry, type Program } from './program';

export async function dispatch(program: Program, argv: string[], system: System): Promise<ExitCode> {
  const [first, ...rest] = program.route ? program.route(argv, system) : argv;
  if (first === undefined || first === '--help' || first === '-h' || (first === 'help' && rest.length === 0)) {
    system.out(usageText(program));
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === '--version' || first === 'version') {
    system.out(versionText(program));
    return EXIT.ok;
  }
  try {
    if (first === 'help') {
      if (rest.length > 1) throw usageError(program, `help takes one command name, got "${rest.join(' ')}"`);
      const entry = entryOf(program, rest[0] as string);
      system.out(helpText(program.name, await entry.load(), entry.summary));
      return EXIT.ok;
    }
    const entry = entryOf(program, first);
    const command = await entry.load();
    const args = parseCommandArgs(program.name, command, rest);
    if (args.values.help === true) {
      system.out(helpText(program.name, command, entry.summary));
      return EXIT.ok;
    }
    return await command.run(args, system, program);
  } catch (err) {
    const error = asAgentError(err, program.name);
    if (rest.includes('--json')) system.out(JSON.stringify({ error: error.toJSON() }, null, 2));
    else system.err(error.render());
    return error.exitCode;
  }
}

function entryOf(program: Program, name: string): CommandEntry {
  const entry = program.commands.find((c) => c.name === name);
  if (!entry) throw usageError(program, `unknown command "${name}"${didYouMean(name, program.commands.map((c) => c.name))}`);
  return entry;
}

function usageError(program: Program, message: string): AgentError {
  return new AgentError('E_USAGE', message, { fix: `run "${program.name} --help" for the list of commands` });
}
