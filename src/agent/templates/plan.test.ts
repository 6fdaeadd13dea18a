// planTemplates with fake inputs: sources, unchanged detection, mode/owner, all-or-nothing, includes, secrets.

import { describe, expect, it } from 'vitest';
import type { TemplateFunction } from 'ejs';
import type { IncludeEntry } from './includes';
import { planTemplates, type PlannedTemplate, type PlanResult } from './plan';
import { file, planInput, SECRET } from './test-fixtures';
import { agentErrorOf as failure } from '../../test-support';

function done(result: PlanResult): PlannedTemplate[] {
  if (!result.templates) throw new Error(`plan still needs ${result.needs.join(', ')}`);
  return result.templates;
}

function only(result: PlanResult): PlannedTemplate {
  const [t] = done(result);
  if (!t) throw new Error('no template planned');
  return t;
}

describe('planTemplates: output and sources', () => {
  it('renders from the pristine copy when there is one, not from the target', () => {
    const t = only(planTemplates(planInput([{ spec: { path: '/etc/motd' }, pristine: file('<%= config.greeting %> from <%= env.hostname %>\n'), target: file('old\n') }])));
    expect(t.output.toString()).toBe('hi from meta-host\n');
    expect(t.source).toBe('pristine');
    expect(t.takePristine).toBeNull();
  });

  it('renders from the target on the first render and keeps it as the pristine copy to take', () => {
    const target = file('<%= config.greeting %>\n', 0o640, 0, 4);
    const t = only(planTemplates(planInput([{ spec: { path: '/etc/motd' }, pristine: null, target }])));
    expect(t.source).toBe('target');
    expect(t.takePristine).toBe(target);
    expect(t.output.toString()).toBe('hi\n');
  });

  it('refuses a template with neither a pristine copy nor a target file, naming both places', () => {
    const err = failure(() => planTemplates(planInput([{ spec: { path: '/etc/gone' }, pristine: null, target: null }])));
    expect(err.code).toBe('E_TEMPLATE');
    expect(err.message).toContain('/.cloudlet/templates/etc/gone');
    expect(err.where).toBe('/etc/gone');
  });

  it('sees every context variable: config, env, meta and manifest', () => {
    const text = '<%= config.db.host %> <%= env.arch %> <%= env.kernel %> <%= env.cpus %> <%= env.platform %> <%= meta["instance-id"] %> <%= manifest.name %>';
    const t = only(planTemplates(planInput([{ spec: { path: '/etc/x' }, pristine: file(text), target: null }])));
    expect(t.output.toString()).toBe('db.local x86_64 6.1.0-13-amd64 2 nocloud i-123 hello');
  });

  it('renders user data as data: EJS tags inside a value are printed, not run', () => {
    const input = planInput([{ spec: { path: '/etc/x' }, pristine: file('<%- config.greeting %>'), target: null }]);
    const evil = { ...input, context: { ...input.context, config: { greeting: '<%= process.pid %>' } } };
    expect(only(planTemplates(evil)).output.toString()).toBe('<%= process.pid %>');
  });
});

describe('planTemplates: unchanged detection, mode and owner', () => {
  it('marks a target that already holds the output with the right mode and owner as unchanged', () => {
    const t = only(planTemplates(planInput([{ spec: { path: '/etc/motd' }, pristine: file('<%= config.greeting %>\n'), target: file('hi\n') }])));
    expect(t.changed).toBe(false);
    expect(t.reasons).toEqual([]);
  });

  it('marks the same content with a different mode or owner as changed, for that reason', () => {
    const spec = { path: '/etc/app.conf', mode: '0640', owner: 'root:app' };
    const t = only(planTemplates(planInput([{ spec, pristine: file('x'), target: file('x', 0o644, 0, 0) }])));
    expect(t.reasons).toEqual(['mode', 'owner']);
    expect(t.mode).toBe(0o640);
    expect(t.owner).toEqual({ uid: 0, gid: 1000 });
    expect(t.ownerLabel).toBe('root:app');
  });

  it('marks a missing target as new and a different content as changed', () => {
    const [a, b] = done(
      planTemplates(
        planInput([
          { spec: { path: '/etc/a' }, pristine: file('A'), target: null },
          { spec: { path: '/etc/b' }, pristine: file('B'), target: file('old') },
        ]),
      ),
    );
    expect(a?.reasons).toEqual(['new']);
    expect(b?.reasons).toEqual(['content']);
  });

  it('takes the mode from the spec, else the existing file, else 0644', () => {
    const [a, b, c] = done(
      planTemplates(
        planInput([
          { spec: { path: '/a', mode: '0600' }, pristine: file('x'), target: file('x', 0o755) },
          { spec: { path: '/b' }, pristine: file('x'), target: file('x', 0o750) },
          { spec: { path: '/c' }, pristine: { ...file('x'), mode: 0o644 }, target: null },
        ]),
      ),
    );
    expect([a?.mode, b?.mode, c?.mode]).toEqual([0o600, 0o750, 0o644]);
  });

  it('keeps the existing owner when the spec names none, and defaults to root for a new file', () => {
    const [a, b] = done(
      planTemplates(
        planInput([
          { spec: { path: '/a' }, pristine: file('x'), target: file('x', 0o644, 1000, 4) },
          { spec: { path: '/b' }, pristine: file('x', 0o644, 0, 0), target: null },
        ]),
      ),
    );
    expect(a?.owner).toEqual({ uid: 1000, gid: 4 });
    expect(a?.ownerLabel).toBe('app:adm');
    expect(b?.ownerLabel).toBe('root:root');
  });

  it('resolves owners by name from the image, numbers as given, and a lone user with its primary group', () => {
    const [a, b] = done(
      planTemplates(
        planInput([
          { spec: { path: '/a', owner: 'app' }, pristine: file('x'), target: null },
          { spec: { path: '/b', owner: '1234:5678' }, pristine: file('x'), target: null },
        ]),
      ),
    );
    expect(a?.owner).toEqual({ uid: 1000, gid: 1000 });
    expect(b?.owner).toEqual({ uid: 1234, gid: 5678 });
    expect(b?.ownerLabel).toBe('1234:5678');
  });

  it('refuses an owner the image does not know', () => {
    const err = failure(() => planTemplates(planInput([{ spec: { path: '/a', owner: 'nobody:app' }, pristine: file('x'), target: null }])));
    expect(err.code).toBe('E_TEMPLATE');
    expect(err.message).toContain('user "nobody" is not in the image\'s /etc/passwd');
  });
});

describe('planTemplates: all or nothing', () => {
  it('fails the whole set when any template fails, returning no plan at all', () => {
    const input = planInput([
      { spec: { path: '/etc/good' }, pristine: file('fine'), target: null },
      { spec: { path: '/etc/bad' }, pristine: file('line1\n<%= nope %>\n'), target: null },
    ]);
    const err = failure(() => planTemplates(input));
    expect(err.where).toBe('/etc/bad:2');
  });
});

describe('planTemplates: includes', () => {
  it('asks for an include it has not been given, then renders it once loaded', () => {
    const templates = [{ spec: { path: '/etc/app/app.conf' }, pristine: file('<%- include("/partials/head.ejs") %>body'), target: null }];
    const first = planTemplates(planInput(templates));
    expect(first.needs).toEqual(['/.cloudlet/templates/partials/head.ejs']);
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/partials/head.ejs', { text: '# <%= manifest.name %>\n' }]]);
    expect(only(planTemplates(planInput(templates, includes))).output.toString()).toBe('# hello\nbody');
  });

  it('compiles each file once across the rounds of a plan that share their compiled templates', () => {
    let compiles = 0;
    const compiled = new (class extends Map<string, TemplateFunction> {
      override set(key: string, fn: TemplateFunction) {
        compiles++;
        return super.set(key, fn);
      }
    })();
    const templates = [
      { spec: { path: '/etc/app/app.conf' }, pristine: file('<%- include("/partials/head.ejs") %>body'), target: null },
      { spec: { path: '/etc/motd' }, pristine: file('<%= config.greeting %>'), target: null },
    ];
    expect(planTemplates({ ...planInput(templates), compiled }).needs).toHaveLength(1);
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/partials/head.ejs', { text: '# <%= manifest.name %>\n' }]]);
    const second = planTemplates({ ...planInput(templates, includes), compiled });
    expect(second.templates?.map((t) => t.output.toString())).toEqual(['# hello\nbody', 'hi']);
    expect(compiles).toBe(3);
  });

  it('resolves a relative include beside the template pristine copy', () => {
    const templates = [{ spec: { path: '/etc/app/app.conf' }, pristine: file('<%- include("part.ejs") %>'), target: null }];
    expect(planTemplates(planInput(templates)).needs).toEqual(['/.cloudlet/templates/etc/app/part.ejs']);
  });

  it('refuses ".." in an include name, naming the including file and line', () => {
    const templates = [{ spec: { path: '/etc/motd' }, pristine: file('a\n<%- include("../../etc/shadow") %>'), target: null }];
    const err = failure(() => planTemplates(planInput(templates)));
    expect(err.code).toBe('E_TEMPLATE');
    expect(err.where).toBe('/etc/motd:2');
    expect(err.message).toMatch(/refused/);
  });

  it('reports a refused include (a symlink leaving the store) at the line that includes it', () => {
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/x', { refused: 'it leaves /.cloudlet/templates' }]]);
    const templates = [{ spec: { path: '/etc/motd' }, pristine: file('<%- include("/x") %>'), target: null }];
    const err = failure(() => planTemplates(planInput(templates, includes)));
    expect(err.where).toBe('/etc/motd:1');
    expect(err.message).toContain('leaves /.cloudlet/templates');
  });

  it('reports an error inside an include at the include file and line, and where it was included from', () => {
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/p.ejs', { text: 'ok\nok\n<%= env.nope %>' }]]);
    const templates = [{ spec: { path: '/etc/motd' }, pristine: file('1\n2\n3\n<%- include("/p.ejs") %>'), target: null }];
    const err = failure(() => planTemplates(planInput(templates, includes)));
    expect(err.where).toBe('/.cloudlet/templates/p.ejs:3');
    expect(err.message).toContain('included from /etc/motd:4');
  });

  it('stops a template that includes itself', () => {
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/loop.ejs', { text: '<%- include("/loop.ejs") %>' }]]);
    const templates = [{ spec: { path: '/etc/motd' }, pristine: file('<%- include("/loop.ejs") %>'), target: null }];
    expect(failure(() => planTemplates(planInput(templates, includes))).message).toMatch(/nest deeper than/);
  });

  it('reports a missing include file', () => {
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/none.ejs', { missing: true }]]);
    const templates = [{ spec: { path: '/etc/motd' }, pristine: file('<%- include("/none.ejs") %>'), target: null }];
    expect(failure(() => planTemplates(planInput(templates, includes))).message).toContain('does not exist in the image');
  });
});

describe('planTemplates: secrets stay out of errors', () => {
  /** The error of one template that fails with `text`, shown every way it is printed. */
  const failing = (text: string, secrets: readonly string[] = [SECRET], config?: Record<string, unknown>) => {
    const input = planInput([{ spec: { path: '/etc/app.conf' }, pristine: file(text), target: null }]);
    const err = failure(() => planTemplates({ ...input, secrets, ...(config ? { context: { ...input.context, config } } : {}) }));
    return { err, shown: [err.render(), JSON.stringify(err.toJSON())].join('\n') };
  };
  /** Every run of 4 characters of `secret`: none may be shown, not even a truncated quote of it. */
  const runsOf = (secret: string) => Array.from({ length: secret.length - 3 }, (_, i) => secret.slice(i, i + 4));

  it("replaces V8's message for JSON.parse of a secret (it quotes the first characters) and keeps file and line", () => {
    const secret = 'Kx7q-Wm2v-Zp9r-Tn4d-Hb6s';
    const { err, shown } = failing('line one\n<% JSON.parse(config.db_password) %>', [secret], { db_password: secret });
    for (const run of runsOf(secret)) expect(shown).not.toContain(run);
    expect(err.where).toBe('/etc/app.conf:2');
    expect(err.message).toContain('SyntaxError (its message is not shown');
    expect(err.message).toContain('2| <% JSON.parse(config.db_password) %>');
  });

  it("replaces the message of the template's own throw that names a secret, with every character of it", () => {
    const { err, shown } = failing('<% throw new Error("bad password " + config.db_password) %>');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('hunter2');
    expect(err.message).toContain('Error (its message is not shown');
  });

  it("keeps the engine's message when it holds no part of a secret", () => {
    const { err } = failing('<%= config.db.host.nope.deeper %>');
    expect(err.message).toContain("TypeError: Cannot read properties of undefined (reading 'deeper')");
  });
});

describe('planTemplates: sensitive files', () => {
  it('marks a file whose output holds a secret, or whose template names a writeOnly field, as sensitive', () => {
    const includes = new Map<string, IncludeEntry>([['/.cloudlet/templates/db.ejs', { text: '<%= config.db_password ?? "" %>' }]]);
    const [now, named, viaInclude, plain] = done(
      planTemplates(
        planInput(
          [
            { spec: { path: '/a' }, pristine: file('<%= config.db_password %>'), target: null },
            { spec: { path: '/b' }, pristine: file('<% if (false) { %><%= config.db_password %><% } %>'), target: null },
            { spec: { path: '/c' }, pristine: file('<%- include("/db.ejs") %>'), target: null },
            { spec: { path: '/d' }, pristine: file('<%= config.greeting %> db_passwords_are_elsewhere'), target: null },
          ],
          includes,
        ),
      ),
    );
    expect([now?.sensitive, named?.sensitive, viaInclude?.sensitive, plain?.sensitive]).toEqual([true, true, true, false]);
  });
});
