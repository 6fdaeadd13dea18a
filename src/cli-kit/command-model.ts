// A program's whole command table read from the commands themselves: what completions and the manual page are made of.

import { valueName, type Command, type FlagSpec } from './command';
import type { Program } from './program';

export interface OptionModel {
  /** long name without dashes, as the parser knows it */
  long: string;
  short?: string;
  takesValue: boolean;
  /** the placeholder of the value (DIR, FILE, init|chroot|kernel), when it takes one */
  valueName?: string;
  /** what a shell should offer for the value */
  values?: ValueKind;
  /** what --help says of the option, without the option itself: its first line, then any continued below it */
  description: string[];
}

/** files, directories, one of a list of words, or nothing a shell can guess */
export type ValueKind = { kind: 'file' } | { kind: 'dir' } | { kind: 'words'; words: string[] } | { kind: 'any' };

export interface CommandModel {
  name: string;
  summary: string;
  command: Command;
  /** the parser's own flags, and --help that every command has */
  options: OptionModel[];
  /** what a shell offers for an argument that is not an option; absent when the command takes none */
  positionals?: ValueKind;
}

export interface ProgramModel {
  program: Program;
  commands: CommandModel[];
}

/** Loads every command of the table (their modules included): for generating text, never on a boot path. */
export async function programModel(program: Program): Promise<ProgramModel> {
  const commands = await Promise.all(
    program.commands.map(async (entry): Promise<CommandModel> => {
      const command = await entry.load();
      const options: OptionModel[] = Object.entries<FlagSpec[string]>({ ...command.flags, help: { type: 'boolean', short: 'h' } }).map(([long, spec]) => {
        const takesValue = spec.type === 'string';
        const placeholder = takesValue ? valueName(command, long) : undefined;
        return {
          long,
          ...(spec.short ? { short: spec.short } : {}),
          takesValue,
          ...(placeholder !== undefined ? { valueName: placeholder, values: valueKind(placeholder) } : {}),
          description: long === 'help' ? ["show this command's help"] : describeOption(command, long),
        };
      });
      return { name: entry.name, summary: entry.summary, command, options, ...(command.positionals ? { positionals: positionalKind(command) } : {}) };
    }),
  );
  return { program, commands };
}

/** The shell's offer for a placeholder: DIR a directory, FILE (or IMAGE, PATH) a file, a|b|c one of the words. */
export function valueKind(placeholder: string): ValueKind {
  if (placeholder.includes('|')) return { kind: 'words', words: placeholder.split('|') };
  if (/DIR$/.test(placeholder)) return { kind: 'dir' };
  if (/(FILE|IMAGE|PATH)$/.test(placeholder)) return { kind: 'file' };
  return { kind: 'any' };
}

/** The words a positional may be ("[manifest|user-data]") or a file for FILE, IMAGE or CMD, read from the usage line without its options. */
function positionalKind(command: Command): ValueKind {
  const withoutOptions = command.usage.replace(/--[a-z][a-z0-9-]*(?:[ =](?!-)\S+)?/g, ' ');
  for (const token of withoutOptions.split(/[\s[\]()]+/)) {
    if (/^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)+$/.test(token)) return { kind: 'words', words: token.split('|') };
  }
  return /\b(FILE|IMAGE|PATH|DIR|CMD)\b/.test(withoutOptions) ? { kind: 'file' } : { kind: 'any' };
}

function describeOption(command: Command, long: string): string[] {
  const head = new RegExp(`^(--${long.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\s+\\S+)?\\s{2,})(\\S.*)$`);
  for (const item of detailItems(command.details)) {
    const m = head.exec(item.lines[0] as string);
    if (m) return item.lines.slice(1).length ? logicalLines((m[1] as string).length, m[2] as string, item.lines.slice(1)) : [(m[2] as string).trim()];
  }
  return [];
}

/** --help's detail lines grouped: a line that begins in the first column, and the indented lines continuing it. */
export function detailItems(details: readonly string[]): { lines: string[] }[] {
  const items: { lines: string[] }[] = [];
  for (const line of details) {
    const last = items[items.length - 1];
    if (/^\s/.test(line) && last) last.lines.push(line);
    else items.push({ lines: [line] });
  }
  return items;
}

/**
 * An item's text as its logical lines: a continuation indented to the text's column (`column`) goes on
 * with the line above (a wrapped sentence); one indented further starts a line of its own (a list).
 */
export function logicalLines(column: number, first: string, rest: readonly string[]): string[] {
  const out = [first.trim()];
  for (const line of rest) {
    const indent = line.length - line.trimStart().length;
    if (indent <= column) out[out.length - 1] += ` ${line.trim()}`;
    else out.push(line.trim());
  }
  return out;
}
