// The built `cloudlet` executable: help, version, usage errors, and specs and validate giving the agent's own output.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helloImage } from '../../src/manifest/test-fixtures';
import { makeImage, REPO, runAgent, runCloudlet, tempDir, type Tree } from './harness';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const SECRET = 'cl-fixture-secret-0077';

/** The hello image with one template (its motd), so that its image is valid. */
const { manifest: HELLO, tree: TREE } = helloImage();
const MANIFEST = { ...HELLO, templates: ['/etc/motd'] };

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function image(manifest: unknown): string {
  const { root, cleanup } = makeImage(manifest, TREE);
  cleanups.push(cleanup);
  return root;
}

function userDataFile(content: unknown): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const file = join(dir, 'user-data.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const agent = (args: string[]) => runAgent(args, { namespace: false });

describe('cloudlet overview and version', () => {
  it('--help lists its commands with their summaries and exits 0', () => {
    const r = runCloudlet(['--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('Usage: cloudlet COMMAND');
    expect(r.stdout).toMatch(/^ {2}validate +check a manifest/m);
    expect(r.stdout).toMatch(/^ {2}specs +print the JSON Schema/m);
  });

  it('without a command prints the overview and exits 2', () => {
    const r = runCloudlet([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage: cloudlet COMMAND');
  });

  it('--version names cloudlet, the package version and the same embedded Node as the agent', () => {
    const r = runCloudlet(['--version']);
    expect(r.code).toBe(0);
    const node = /\(node (v24\.[0-9.]+)\)$/.exec(agent(['--version']).stdout.trim())?.[1];
    expect(r.stdout).toBe(`cloudlet ${VERSION} (node ${node})\n`);
  });

  it('"help validate" prints what "validate --help" prints, with an example', () => {
    const help = runCloudlet(['help', 'validate']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(runCloudlet(['validate', '--help']).stdout);
    expect(help.stdout).toContain('Examples:\n  cloudlet validate --root ./image');
  });
});

describe('cloudlet specs', () => {
  it.each([[[]], [['manifest']], [['user-data']]])('specs %j prints the agent\'s schema byte for byte', (which) => {
    const mine = runCloudlet(['specs', ...which]);
    const agents = agent(['specs', ...which]);
    expect(mine.code).toBe(0);
    expect(agents.code).toBe(0);
    expect(mine.stdout.length).toBeGreaterThan(1000);
    expect(mine.stdout).toBe(agents.stdout);
  });
});

describe('cloudlet validate gives the agent\'s report', () => {
  it('for a valid image and user data: exit 0, the same JSON and the same text', () => {
    const root = image(MANIFEST);
    const ud = userDataFile({ config: { greeting: 'hi' } });
    for (const extra of [['--json'], []]) {
      const mine = runCloudlet(['validate', '--root', root, '--user-data', ud, ...extra]);
      expect(mine.code).toBe(0);
      expect(mine.stdout).toBe(agent(['validate', '--root', root, '--user-data', ud, ...extra]).stdout);
    }
    expect(JSON.parse(runCloudlet(['validate', '--root', root, '--json']).stdout)).toEqual({
      valid: true,
      problems: [],
      manifest: { name: 'hello', version: '1.2.0' },
      image: { root, templates: expect.stringMatching(/^1 template compiled and rendered with the config schema's defaults and examples/) },
    });
  });

  it('for an invalid manifest and user data: exit 2, the same problems by source and path', () => {
    const bad = { ...MANIFEST, colour: 'red', volatile: ['/var/lib/app/cache'], templates: ['etc/motd'] };
    const root = image(bad);
    const ud = userDataFile({ config: { greeting: 5 }, hostname: '-bad' });
    const mine = runCloudlet(['validate', '--root', root, '--user-data', ud, '--json']);
    const agents = agent(['validate', '--root', root, '--user-data', ud, '--json']);
    expect(mine.code).toBe(2);
    expect(agents.code).toBe(2);
    expect(mine.stdout).toBe(agents.stdout);
    const report = JSON.parse(mine.stdout) as { valid: boolean; problems: Array<{ source: string; path: string }> };
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => `${p.source} ${p.path}`)).toEqual(expect.arrayContaining(['manifest /colour', 'manifest /templates/0', 'user-data /hostname']));
  });

  it('for user data breaking the config schema: exit 2, the same text report, the secret never printed', () => {
    const root = image(MANIFEST);
    const ud = userDataFile({ config: { db_password: SECRET, greeting: 5 } });
    const mine = runCloudlet(['validate', '--root', root, '--user-data', ud]);
    expect(mine.code).toBe(2);
    expect(mine.stdout).toBe(agent(['validate', '--root', root, '--user-data', ud]).stdout);
    expect(mine.stdout).toContain('/config/db_password');
    expect(mine.stdout).toContain('/config/greeting');
    expect(mine.stdout + mine.stderr).not.toContain(SECRET);
  });

  it('for a manifest file given by --manifest: the same report as the agent\'s', () => {
    const root = image({ ...MANIFEST, persistent: ['/tmp'] });
    const file = join(root, '.cloudlet', 'manifest');
    const mine = runCloudlet(['validate', '--manifest', file, '--json']);
    expect(mine.code).toBe(2);
    expect(mine.stdout).toBe(agent(['validate', '--manifest', file, '--json']).stdout);
  });
});

describe('cloudlet usage errors', () => {
  it('refuses an unknown command with exit 2 and a fix naming cloudlet', () => {
    const r = runCloudlet(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error E_USAGE: unknown command "frobnicate"\n  fix: run "cloudlet --help" for the list of commands\n');
  });

  it('refuses validate without an image, or with both --root and --manifest', () => {
    const none = runCloudlet(['validate']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('error E_USAGE: validate: give --root DIR or --manifest FILE');
    const both = runCloudlet(['validate', '--root', '/', '--manifest', '/m']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('not both');
  });

  it('refuses an unknown flag naming cloudlet and the command, as JSON on stdout under --json', () => {
    const text = runCloudlet(['validate', '--colour']);
    expect(text.code).toBe(2);
    expect(text.stderr).toContain('error E_USAGE: cloudlet validate: ');
    expect(text.stderr).toContain('fix: see "cloudlet validate --help"');
    const json = runCloudlet(['validate', '--colour', '--json']);
    expect(json.code).toBe(2);
    expect((JSON.parse(json.stdout) as { error: { code: string; fix: string } }).error).toMatchObject({ code: 'E_USAGE', fix: expect.stringMatching(/^see "cloudlet validate --help" \(options: --root, /) });
  });

  it('refuses an unknown schema name with exit 2', () => {
    const r = runCloudlet(['specs', 'flavour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('specs: unknown schema "flavour"');
    expect(r.stderr).toContain('"cloudlet specs manifest" or "cloudlet specs user-data"');
  });
});
