// Checks a command line's options against a command's flags before node:util parseArgs reads them, in our words.

import { didYouMean } from './nearest-name';
import type { FlagSpec } from './command';

/**
 * The first problem with the options in `argv`, as one sentence, or undefined. Says which option and
 * what is wrong, and names the nearest valid option for an unknown one; `valueName` gives the
 * placeholder of a string option (DIR, FILE) as the usage line spells it.
 */
export function optionProblem(argv: readonly string[], flags: FlagSpec, valueName: (flag: string) => string): string | undefined {
  const longs = Object.keys(flags);
  const shorts = new Map(Object.entries(flags).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = flags[name];
      if (spec === undefined) return `unknown option "--${name}"${didYouMean(`--${name}`, longs.map((l) => `--${l}`))}`;
      if (spec.type === 'boolean') {
        if (eq >= 0) return `--${name} takes no value (got "${arg}")`;
        continue;
      }
      if (eq >= 0) continue;
      const problem = missingValue(`--${name}`, valueName(name), argv[i + 1]);
      if (problem) return problem;
      i++;
    } else if (arg.startsWith('-') && arg.length > 1) {
      // A group of short options: "-hv", or "-oDIR" where a string option takes the rest.
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] as string;
        const name = shorts.get(letter);
        if (name === undefined) return `unknown option "-${letter}"${arg.length > 2 ? ` in "${arg}"` : ''}`;
        if ((flags[name] as FlagSpec[string]).type === 'string') {
          if (j + 1 < arg.length) break;
          const problem = missingValue(`-${letter}`, valueName(name), argv[i + 1]);
          if (problem) return problem;
          i++;
        }
      }
    }
  }
  return undefined;
}

function missingValue(option: string, placeholder: string, next: string | undefined): string | undefined {
  if (next === undefined) return `${option} needs a value (${option} ${placeholder})`;
  if (next.startsWith('-') && next !== '-') {
    return `${option} needs a value (${option} ${placeholder}), but "${next}" follows it; a value that begins with "-" is written ${option}=${next}`;
  }
  return undefined;
}
