// Blackbox: the everyday CLI help of both built programs: did-you-mean, option errors, help COMMAND, completions, man pages, JSON excerpts.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAgent, runCloudlet, tempDir, type AgentRun } from './harness';

const PROGRAMS: Array<[string, (args: string[]) => AgentRun]> = [
  ['cloudlet-agent', (args) => runAgent(args, { namespace: false })],
  ['cloudlet', (args) => runCloudlet(args)],
];

const work = tempDir('cloudlet-cli-tools-');
afterAll(() => work.cleanup());

/** The commands the --help overview lists: the program's command table. */
function commandsOf(run: (args: string[]) => AgentRun): string[] {
  return run(['--help']).stdout.split('\n').flatMap((line) => /^ {2}([a-z][a-z-]*) {2,}/.exec(line)?.[1] ?? []);
}

describe.each(PROGRAMS)('%s', (program, run) => {
  it('names the command a mistyped one most likely means', () => {
    const r = run(['valdiate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error E_USAGE: unknown command "valdiate"; did you mean "validate"?');
  });

  it('says which option of which command is unknown and the nearest valid one, in its own words', () => {
    const r = run(['validate', '--rot', '/x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error E_USAGE: ${program} validate: unknown option "--rot"; did you mean "--root"?`);
    expect(r.stderr).toMatch(/fix: see "\S+ validate --help" \(options: --root, /);
    const missing = run(['validate', '--root']);
    expect(missing.stderr).toContain(`${program} validate: --root needs a value (--root DIR)`);
    for (const out of [r.stderr, missing.stderr]) expect(out).not.toMatch(/Unknown option|argument missing|To specify a positional/);
  });

  it('"help validate" prints what "validate --help" prints', () => {
    const viaHelp = run(['help', 'validate']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(run(['validate', '--help']).stdout);
    expect(viaHelp.stdout.split('\n')[0]).toMatch(new RegExp(`^${program} validate `));
  });

  it('prints a bash completion that completes every command of its table and the options of one', () => {
    const r = run(['completion', 'bash']);
    expect(r.code).toBe(0);
    const script = join(work.dir, `${program}.bash`);
    writeFileSync(script, r.stdout);
    const offers = (...words: string[]) => {
      const array = [program, ...words].map((w) => `'${w}'`).join(' ');
      const b = spawnSync('bash', ['--norc', '--noprofile', '-c', `source '${script}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length}; _${program.replace(/-/g, '_')}; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
      expect(b.stderr).toBe('');
      return b.stdout.split('\n').filter(Boolean).sort();
    };
    expect(offers('vali')).toEqual(['validate']);
    expect(offers('validate', '--r')).toEqual(['--root']);
    expect(offers('completion', '')).toEqual(['bash', 'fish', 'zsh']);
    for (const name of commandsOf(run)) expect(offers(name.slice(0, -1)), name).toContain(name);
  });

  it('prints zsh and fish completions, and refuses a shell it has none for', () => {
    expect(run(['completion', 'zsh']).stdout.split('\n')[0]).toBe(`#compdef ${program}`);
    expect(run(['completion', 'fish']).stdout).toContain(`complete -c ${program} -n __fish_use_subcommand -a validate`);
    const r = run(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no completion for "tcsh"`);
  });

  it('prints a man page with every command of its table, clean under mandoc -Tlint', () => {
    const r = run(['man']);
    expect(r.code).toBe(0);
    const roff = program.replace(/-/g, '\\\\-');
    expect(r.stdout).toMatch(new RegExp(`^\\.TH ${roff.toUpperCase()} 1 \\d{4}-\\d\\d-\\d\\d "${roff} `, 'm'));
    const lint = spawnSync('mandoc', ['-Tlint', '-Wwarning'], { input: r.stdout, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    for (const name of commandsOf(run)) expect(r.stdout, name).toMatch(new RegExp(`^\\.SS "${name.replace(/-/g, '\\\\-')}[ "]`, 'm'));
    expect(r.stdout).toContain('.SH EXIT STATUS');
  });

  it('names the platform a misspelt one in a manifest most likely means', () => {
    const file = join(work.dir, `${program}-platforms.json`);
    writeFileSync(file, JSON.stringify({ cloudlet: '0.0.4', name: 'x', platforms: ['fw_cfg'], entrypoints: { init: {} } }));
    const r = run(['validate', '--manifest', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/unknown platform "fw_cfg"; known: .*; did you mean "fwcfg"\?/);
  });

  it('shows a JSON syntax error of a manifest with the line and a caret under the column', () => {
    const file = join(work.dir, `${program}-broken.json`);
    writeFileSync(file, '{\n  "cloudlet": "0.0.4",\n  "name": "x"\n  "entrypoints": {"init": {}}\n}\n');
    const r = run(['validate', '--manifest', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('not valid JSON at line 4 column 3');
    expect(r.stdout).toContain('    |   "entrypoints": {"init": {}}\n    |   ^');
  });
});
