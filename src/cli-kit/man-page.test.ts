// The manual page generated from a command table: its sections, every command and option, and clean under mandoc and groff.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../errors';
import type { Command } from './command';
import { programModel } from './command-model';
import { manPage } from './man-page';
import type { Program } from './program';

const pack: Command = {
  name: 'pack',
  usage: 'IMAGE --out DIR [--level N] [--fast]',
  details: [
    'IMAGE        the tree to pack',
    '--out DIR    where the pack goes; a long sentence that the help',
    '             wraps onto a second line',
    '--fast       quickly, at the cost of size',
    '.dots and \\backslashes are text, not roff requests',
  ],
  examples: ['toy pack ./tree --out ./out'],
  flags: { out: { type: 'string', short: 'o' }, level: { type: 'string' }, fast: { type: 'boolean' } },
  positionals: true,
  run: async () => EXIT.ok,
};

const PROGRAM: Program = {
  name: 'toy',
  tagline: 'packs trees - quickly',
  version: '1.2.3',
  exitCodes: 'Exit codes: 0 ok, 1 failed, 2 usage or invalid input',
  commands: [{ name: 'pack', summary: 'pack a tree', load: async () => pack }],
};

async function page(): Promise<string> {
  return manPage(await programModel(PROGRAM), '2026-01-02');
}

describe('manPage', () => {
  it('has the title line and the sections a man page has, in order', async () => {
    const text = await page();
    expect(text.split('\n')[1]).toBe('.TH TOY 1 2026-01-02 "toy 1.2.3" "User Commands"');
    const sections = text.split('\n').filter((l) => l.startsWith('.SH ')).map((l) => l.slice(4));
    expect(sections).toEqual(['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']);
    expect(text).toContain('toy \\- packs trees \\- quickly');
  });

  it("lists each command with its usage, and each of the parser's options with its --help text, wrapped lines joined", async () => {
    const text = await page();
    expect(text).toContain('.SS "pack IMAGE \\-\\-out DIR [\\-\\-level N] [\\-\\-fast]"');
    expect(text).toContain('\\fB\\-\\-out\\fR, \\fB\\-o\\fR \\fIDIR\\fR\nwhere the pack goes; a long sentence that the help wraps onto a second line');
    expect(text).toContain('\\fB\\-\\-level\\fR \\fIN\\fR\n(no description)');
    expect(text).toContain('.TP\n\\fIIMAGE\\fR\nthe tree to pack');
  });

  it('gives one tagged paragraph per exit code of the program', async () => {
    expect(await page()).toContain('.SH EXIT STATUS\n.TP\n.B 0\nOk\n.TP\n.B 1\nFailed\n.TP\n.B 2\nUsage or invalid input\n');
  });

  it('escapes text so no line of the help becomes a roff request', async () => {
    const text = await page();
    expect(text).toContain('\\&.dots and \\ebackslashes are text');
  });

  it('passes mandoc -Tlint and groff -ww without a warning', async () => {
    const input = await page();
    const lint = spawnSync('mandoc', ['-Tlint', '-Wwarning'], { input, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const groff = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z'], { input, encoding: 'utf8' });
    expect(groff.stderr).toBe('');
    expect(groff.status).toBe(0);
  });
});
