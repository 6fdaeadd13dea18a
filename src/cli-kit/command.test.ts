// The shared argument parsing and help text, parametrised by the program's name.

import { describe, expect, it } from 'vitest';
import { EXIT } from '../errors';
import { boolFlag, helpText, parseCommandArgs, stringFlag, type Command } from './command';

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
      expect(() => parseCommandArgs('other', command, argv)).toThrow(expect.objectContaining({ code: 'E_USAGE', fix: 'see "other pack --help"' }));
    }
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
