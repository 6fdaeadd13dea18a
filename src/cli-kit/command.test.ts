// The shared argument parsing and help text, parametrised by the program's name.

import { describe, expect, it } from 'vitest';
import { EXIT } from '../errors';
import { agentErrorOf } from '../test-support';
import { boolFlag, helpText, parseCommandArgs, stringFlag, valueName, type Command } from './command';

const command: Command = {
  name: 'pack',
  usage: '--out DIR [--fast]',
  details: ['--out DIR   where', '--fast      quickly'],
  examples: ['prog pack --out x'],
  flags: { out: { type: 'string', short: 'o' }, fast: { type: 'boolean' } },
  run: async () => EXIT.ok,
};

describe('parseCommandArgs', () => {
  it('reads string and boolean flags, short forms and --help', () => {
    const args = parseCommandArgs('prog', command, ['-o', 'dir', '--fast', '--help']);
    expect(stringFlag(args, 'out')).toBe('dir');
    expect(boolFlag(args, 'fast')).toBe(true);
    expect(boolFlag(args, 'help')).toBe(true);
    expect(stringFlag(args, 'fast')).toBeUndefined();
    expect(boolFlag(args, 'out')).toBe(false);
  });

  it('refuses positionals unless the command takes them', () => {
    expect(() => parseCommandArgs('prog', command, ['stray'])).toThrow(expect.objectContaining({ code: 'E_USAGE', message: 'prog pack: unexpected argument "stray"' }));
    expect(parseCommandArgs('prog', { ...command, positionals: true }, ['a', '--', '-b']).positionals).toEqual(['a', '-b']);
  });

  it('refuses an unknown flag and a string flag without its value, naming the program in the fix', () => {
    for (const argv of [['--slow'], ['--out']]) {
      expect(() => parseCommandArgs('other', command, argv)).toThrow(expect.objectContaining({ code: 'E_USAGE', fix: expect.stringContaining('see "other pack --help"') }));
    }
  });
});

describe('option errors', () => {
  const message = (argv: string[]) => agentErrorOf(() => parseCommandArgs('prog', command, argv)).message;

  it('name the unknown option, the command and the nearest valid option, in words of their own', () => {
    const error = agentErrorOf(() => parseCommandArgs('prog', command, ['--otu', 'x']));
    expect(error.message).toBe('prog pack: unknown option "--otu"; did you mean "--out"?');
    expect(error.fix).toBe('see "prog pack --help" (options: --out, --fast, --help)');
    expect(message(['--zzz'])).toBe('prog pack: unknown option "--zzz"');
    expect(message(['-x'])).toBe('prog pack: unknown option "-x"');
  });

  it('say which option lacks its value and how to write one that begins with "-"', () => {
    expect(message(['--out'])).toBe('prog pack: --out needs a value (--out DIR)');
    expect(message(['-o'])).toBe('prog pack: -o needs a value (-o DIR)');
    expect(message(['--out', '--fast'])).toBe('prog pack: --out needs a value (--out DIR), but "--fast" follows it; a value that begins with "-" is written --out=--fast');
    expect(stringFlag(parseCommandArgs('prog', command, ['--out=-x']), 'out')).toBe('-x');
  });

  it('refuse a value given to a boolean option', () => {
    expect(message(['--fast=yes'])).toBe('prog pack: --fast takes no value (got "--fast=yes")');
  });

  it('never pass on the wording of node:util parseArgs', () => {
    for (const argv of [['--slow'], ['--out'], ['--out', '-z'], ['--fast=1'], ['-q']]) {
      expect(message(argv)).not.toMatch(/Unknown option|argument missing|ambiguous|positional argument|'--/);
    }
  });
});

describe('valueName', () => {
  it('reads the placeholder of a string flag from the usage line', () => {
    const c = { ...command, usage: '--out DIR [--hook initramfs-tools|dracut] [--option KEY=VALUE ...] [--target NAME[,NAME...]] [--n]' };
    expect(valueName(c, 'out')).toBe('DIR');
    expect(valueName(c, 'hook')).toBe('initramfs-tools|dracut');
    expect(valueName(c, 'option')).toBe('KEY=VALUE');
    expect(valueName(c, 'target')).toBe('NAME');
    expect(valueName(c, 'n')).toBe('VALUE');
  });
});

describe('helpText', () => {
  it('starts with the program, the command and its usage, and ends with the examples', () => {
    expect(helpText('prog', command, 'packs things').split('\n')).toEqual([
      'prog pack --out DIR [--fast]',
      '',
      'packs things',
      '',
      '  --out DIR   where',
      '  --fast      quickly',
      '',
      'Examples:',
      '  prog pack --out x',
    ]);
  });

  it('leaves out the details block when there are none', () => {
    expect(helpText('prog', { ...command, usage: '', details: [] }, 'packs').split('\n')).toEqual(['prog pack', '', 'packs', '', 'Examples:', '  prog pack --out x']);
  });
});
