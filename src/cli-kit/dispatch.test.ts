// The command kit's dispatch on a made-up program: help, version, routing, exit codes and errors naming the program.

import { describe, expect, it } from 'vitest';
import { AgentError, EXIT, type ExitCode } from '../errors';
import type { System } from '../system/system';
import type { Command } from './command';
import { dispatch } from './dispatch';
import type { Program } from './program';

interface Terminal {
  system: System;
  out: string[];
  err: string[];
}

function terminal(isPid1 = false): Terminal {
  const out: string[] = [];
  const err: string[] = [];
  const system = {
    hostPaths: { proc: '/nonexistent', sys: '/nonexistent', dev: '/nonexistent', run: '/nonexistent' },
    exec: () => Promise.reject(new Error('no exec in dispatch tests')),
    http: () => Promise.reject(new Error('no http in dispatch tests')),
    monotonicMs: () => 0,
    now: () => new Date(0),
    env: {},
    out: (t: string) => void out.push(t),
    err: (t: string) => void err.push(t),
    isPid1,
  } satisfies System;
  return { system, out, err };
}

/** A program whose `echo` prints its flags and positionals, `fail` throws what it is told, and loads are counted. */
function program(overrides: Partial<Program> = {}): { program: Program; loads: string[] } {
  const loads: string[] = [];
  const echo: Command = {
    name: 'echo',
    usage: '[--loud] [--json] [WORD...]',
    details: ['--loud   shout'],
    examples: ['toy echo --loud hi'],
    flags: { loud: { type: 'boolean' }, json: { type: 'boolean' } },
    positionals: true,
    async run(args, system) {
      system.out(`${args.values.loud === true ? 'LOUD ' : ''}${args.positionals.join(' ')}`);
      return EXIT.ok;
    },
  };
  const fail: Command = {
    name: 'fail',
    usage: '[--json] [--code N]',
    details: [],
    examples: ['toy fail'],
    flags: { json: { type: 'boolean' }, code: { type: 'string' } },
    async run(args) {
      if (typeof args.values.code === 'string') return Number(args.values.code) as ExitCode;
      throw new TypeError('cannot read properties of undefined');
    },
  };
  const entry = (command: Command, summary: string) => ({
    name: command.name,
    summary,
    load: async () => {
      loads.push(command.name);
      return command;
    },
  });
  return {
    loads,
    program: {
      name: 'toy',
      tagline: 'a program for tests',
      version: '9.8.7',
      commands: [entry(echo, 'prints its words'), entry(fail, 'fails')],
      exitCodes: 'Exit codes: 0 ok, 2 usage',
      ...overrides,
    },
  };
}

async function run(argv: string[], options: { overrides?: Partial<Program>; isPid1?: boolean } = {}) {
  const c = terminal(options.isPid1);
  const p = program(options.overrides);
  const code = await dispatch(p.program, argv, c.system);
  return { code, out: c.out.join('\n'), err: c.err.join('\n'), loads: p.loads };
}

describe('overview and version', () => {
  it('prints the overview with every command and its summary for --help, -h and help, exit 0, loading no command', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await run(argv);
      expect(r.code).toBe(EXIT.ok);
      expect(r.out).toContain('toy: a program for tests');
      expect(r.out).toMatch(/^ {2}echo +prints its words$/m);
      expect(r.out).toMatch(/^ {2}fail +fails$/m);
      expect(r.out).toContain('Exit codes: 0 ok, 2 usage');
      expect(r.loads).toEqual([]);
    }
  });

  it('prints the overview and exits 2 when no command is given', async () => {
    const r = await run([]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toContain('Usage: toy COMMAND');
  });

  it('prints name, version and the running Node version for --version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toBe(`toy 9.8.7 (node ${process.version})`);
  });
});

describe('a command', () => {
  it('runs with its flags and positionals and returns its exit code', async () => {
    expect(await run(['echo', '--loud', 'a', 'b'])).toMatchObject({ code: EXIT.ok, out: 'LOUD a b', loads: ['echo'] });
    expect((await run(['fail', '--code', '4'])).code).toBe(4);
  });

  it('prints its help for "CMD --help" and for "help CMD", with usage, summary, details and examples', async () => {
    for (const argv of [['echo', '--help'], ['help', 'echo']]) {
      const r = await run(argv);
      expect(r.code).toBe(EXIT.ok);
      expect(r.out.split('\n')).toEqual(['toy echo [--loud] [--json] [WORD...]', '', 'prints its words', '', '  --loud   shout', '', 'Examples:', '  toy echo --loud hi']);
    }
  });

  it('goes through the program\'s route first', async () => {
    const route = (argv: string[], system: System) => (system.isPid1 ? ['echo', ...argv] : argv);
    expect((await run(['splash'], { overrides: { route }, isPid1: true })).out).toBe('splash');
    expect((await run(['splash'], { overrides: { route } })).err).toContain('unknown command "splash"');
  });
});

describe('errors', () => {
  it('refuses an unknown command with exit 2 and a fix naming the program', async () => {
    const r = await run(['nope']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toBe('');
    expect(r.err).toBe('error E_USAGE: unknown command "nope"\n  fix: run "toy --help" for the list of commands');
  });

  it('names the nearest command to a mistyped one, for a command and for help', async () => {
    const r = await run(['ehco', '--loud']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe('error E_USAGE: unknown command "ehco"; did you mean "echo"?\n  fix: run "toy --help" for the list of commands');
    expect((await run(['help', 'fial'])).err).toContain('unknown command "fial"; did you mean "fail"?');
  });

  it('refuses help for an unknown command, or for more than one', async () => {
    expect(await run(['help', 'nope'])).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('unknown command "nope"') });
    expect(await run(['help', 'echo', 'fail'])).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('help takes one command name') });
  });

  it('refuses an unknown flag and a stray argument naming the program and the command', async () => {
    const flag = await run(['fail', '--loud']);
    expect(flag.code).toBe(EXIT.usage);
    expect(flag.err).toContain('error E_USAGE: toy fail: ');
    expect(flag.err).toContain('fix: see "toy fail --help"');
    expect(await run(['fail', 'extra'])).toMatchObject({ code: EXIT.usage, err: expect.stringContaining('toy fail: unexpected argument "extra"') });
  });

  it('prints the error as JSON on stdout when the command line asks for --json', async () => {
    const r = await run(['fail', '--json', '--nope']);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toBe('');
    expect((JSON.parse(r.out) as { error: { code: string } }).error.code).toBe('E_USAGE');
  });

  it('turns an unexpected exception into E_INTERNAL, exit 1, blaming the program by name', async () => {
    const r = await run(['fail']);
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toContain('error E_INTERNAL: cannot read properties of undefined');
    expect(r.err).toContain('this is a bug in toy;');
  });

  it('keeps the code and exit code of an AgentError a command throws', async () => {
    const fail: Command = { name: 'fail', usage: '', details: [], examples: ['toy fail'], flags: {}, run: () => Promise.reject(new AgentError('E_MANIFEST_MISSING', 'no manifest')) };
    const commands = [{ name: 'fail', summary: 'fails', load: async () => fail }];
    const r = await run(['fail'], { overrides: { commands } });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toContain('error E_MANIFEST_MISSING: no manifest');
  });
});
