// Completion scripts generated from a command table, tried in the real shells: bash's COMPREPLY, fish's complete -C, zsh's parser.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../errors';
import type { Command } from './command';
import { programModel, type ProgramModel } from './command-model';
import { bashCompletion } from './completion-bash';
import { fishCompletion } from './completion-fish';
import { zshCompletion } from './completion-zsh';
import type { Program } from './program';

const command = (name: string, rest: Partial<Command>): Command => ({ name, usage: '', details: [], examples: [`toy-prog ${name}`], flags: {}, run: async () => EXIT.ok, ...rest });

const PROGRAM: Program = {
  name: 'toy-prog',
  tagline: 'a program for tests',
  version: '1.2.3',
  exitCodes: 'Exit codes: 0 ok, 2 usage',
  commands: [
    {
      name: 'validate',
      summary: "check it's right",
      load: async () =>
        command('validate', {
          usage: '[--root DIR] [--mode fast|slow] [--json]',
          details: ['--root DIR      the image root', '--mode M        how: fast or slow', '--json          as JSON'],
          flags: { root: { type: 'string', short: 'r' }, mode: { type: 'string' }, json: { type: 'boolean' } },
        }),
    },
    { name: 'vacuum', summary: 'sweeps', load: async () => command('vacuum', { usage: '[--all]', flags: { all: { type: 'boolean' } } }) },
    { name: 'specs', summary: 'schemas', load: async () => command('specs', { usage: '[manifest|user-data]', positionals: true }) },
  ],
};

const work = mkdtempSync(join(tmpdir(), 'completion-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let model: ProgramModel | undefined;
const modelOf = async () => (model ??= await programModel(PROGRAM));

function script(name: string, content: string): string {
  const file = join(work, name);
  writeFileSync(file, content);
  return file;
}

/** What bash's completion function offers for the words typed so far (the last one being completed). */
async function bashOffers(...words: string[]): Promise<string[]> {
  const file = script('toy.bash', bashCompletion(await modelOf()));
  const array = words.map((w) => `'${w}'`).join(' ');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `source '${file}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _toy_prog; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd: work,
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bash completion', () => {
  it('completes a partial command from the table', async () => {
    expect(await bashOffers('toy-prog', 'va')).toEqual(['vacuum', 'validate']);
    expect(await bashOffers('toy-prog', 'sp')).toEqual(['specs']);
    expect(await bashOffers('toy-prog', 'help', 'val')).toEqual(['validate']);
  });

  it("completes a partial option from the parser's flags of that command, --help included", async () => {
    expect(await bashOffers('toy-prog', 'validate', '--r')).toEqual(['--root']);
    expect(await bashOffers('toy-prog', 'validate', '--')).toEqual(['--help', '--json', '--mode', '--root']);
    expect(await bashOffers('toy-prog', 'vacuum', '--')).toEqual(['--all', '--help']);
  });

  it("completes an option's value: its words, or directories for DIR", async () => {
    expect(await bashOffers('toy-prog', 'validate', '--mode', 's')).toEqual(['slow']);
    writeFileSync(join(work, 'zfile'), '');
    expect(await bashOffers('toy-prog', 'validate', '-r', '')).not.toContain('zfile');
    expect(await bashOffers('toy-prog', 'specs', 'u')).toEqual(['user-data']);
  });
});

describe('fish completion', () => {
  const offers = async (line: string): Promise<string[]> => {
    const file = script('toy.fish', fishCompletion(await modelOf()));
    const r = spawnSync('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0] as string).sort();
  };

  it('completes commands with their summaries, and the options of the command typed', async () => {
    expect(await offers('toy-prog va')).toEqual(['vacuum', 'validate']);
    expect(await offers('toy-prog validate --r')).toEqual(['--root']);
    expect(await offers('toy-prog validate --mode ')).toEqual(['fast', 'slow']);
  });
});

describe('zsh completion', () => {
  it('is a #compdef function zsh parses, naming every command and option', async () => {
    const text = zshCompletion(await modelOf());
    expect(text.split('\n')[0]).toBe('#compdef toy-prog');
    const r = spawnSync('zsh', ['-n', script('_toy-prog', text)], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    for (const word of ["'validate:check it'\\''s right'", "'--json[as JSON]'", "{-r,--root=}'[the image root]:DIR:_files -/'", '(fast slow)']) expect(text).toContain(word);
  });
});
