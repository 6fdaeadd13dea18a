// Strict EJS: undefined names, missing config/env keys, syntax errors, all reported with file and line.

import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { planTemplates } from './plan';
import { file, planInput } from './test-fixtures';

/** Renders one template text as /etc/app/app.conf; returns the output or the E_TEMPLATE error. */
function render(text: string): string | AgentError {
  try {
    const r = planTemplates(planInput([{ spec: { path: '/etc/app/app.conf' }, pristine: file(text), target: null }]));
    if (!r.templates) throw new Error('unexpected include');
    return r.templates[0]?.output.toString() ?? '';
  } catch (err) {
    if (err instanceof AgentError) return err;
    throw err;
  }
}

function error(text: string): AgentError {
  const r = render(text);
  if (!(r instanceof AgentError)) throw new Error(`expected an error, rendered ${JSON.stringify(r)}`);
  expect(r.code).toBe('E_TEMPLATE');
  return r;
}

describe('strict names', () => {
  it('reports an undefined name with the image file and line', () => {
    const err = error('one\ntwo\n<%= greting %>\n');
    expect(err.where).toBe('/etc/app/app.conf:3');
    expect(err.message).toContain('greting is not defined');
    expect(err.message).toContain('3| <%= greting %>');
  });

  it('does not expose the host module system to templates', () => {
    expect(error('<% require("fs") %>').where).toBe('/etc/app/app.conf:1');
  });

  it('lets a template declare and use its own names', () => {
    expect(render('<% const port = 80 %><%= port %>')).toBe('80');
  });
});

describe('strict keys on config and env', () => {
  it('reports a key missing from config with the file, line and the known keys', () => {
    const err = error('a\n<%= config.greting %>');
    expect(err.where).toBe('/etc/app/app.conf:2');
    expect(err.message).toContain('config.greting is not defined');
    expect(err.message).toContain('known keys: greeting');
  });

  it('reports a key missing from a nested config object with its full path', () => {
    expect(error('<%= config.db.hots %>').message).toContain('config.db.hots is not defined');
  });

  it('reports an array index out of range', () => {
    expect(error('<%= config.db.replicas[5] %>').message).toContain('config.db.replicas[5] is not defined (it has 2 items)');
  });

  it('reports a key missing from env', () => {
    expect(error('<%= env.hostnme %>').message).toContain('env.hostnme is not defined');
  });

  it('lets a declared but unset key read as undefined, so ?? gives a fallback', () => {
    expect(render('<%= config.port ?? 8080 %>')).toBe('8080');
  });

  it('answers "in" without throwing, for present and absent keys', () => {
    expect(render("<%= 'greeting' in config %> <%= 'nope' in config %> <%= 'region' in env %>")).toBe('true false true');
  });

  it('leaves env keys that are not known on this platform undefined rather than missing', () => {
    expect(render('<%= env.region ?? "no-region" %>')).toBe('no-region');
  });

  it('serializes config with JSON.stringify (declared unset keys left out)', () => {
    expect(render('<%- JSON.stringify(config.db) %>')).toBe('{"host":"db.local","replicas":["a","b"]}');
  });

  it('iterates objects and arrays', () => {
    expect(render('<% for (const [k, v] of Object.entries(config.db)) { %><%= k %>=<%= v %>;<% } %>')).toBe('host=db.local;replicas=a,b;');
    expect(render('<% for (const r of config.db.replicas) { %>[<%= r %>]<% } %>')).toBe('[a][b]');
    expect(render('<%= config.db.replicas.map((r) => r.toUpperCase()).join("+") %>')).toBe('A+B');
  });

  it('keeps meta lenient, since its shape differs by platform', () => {
    expect(render('<%= meta.nothing ?? "none" %>')).toBe('none');
  });

  it('refuses writes to the context', () => {
    expect(error('<% config.greeting = "x" %>').message).toContain('cannot change config.greeting');
    expect(error('<% manifest.name = "x" %>').where).toBe('/etc/app/app.conf:1');
  });
});

describe('syntax errors', () => {
  it('reports a JavaScript syntax error with the template line', () => {
    const err = error('a\nb\n<%= foo( %>\nc\n');
    expect(err.message).toContain('syntax error');
    expect(err.where).toBe('/etc/app/app.conf:3');
  });

  it('reports an unclosed tag at its own line, with the line', () => {
    const err = error('a\n<%= x\nc\n');
    expect(err.message).toContain('the tag "<%=" opened at this line is never closed with "%>"');
    expect(err.message).toContain('2| <%= x');
    expect(err.where).toBe('/etc/app/app.conf:2');
  });

  it('reports a block the template never closes at the line that opens it, not in the engine\'s own code past the end', () => {
    const err = error('one\n<% if (config.greeting) { %>\nthree\nfour\nfive\n');
    expect(err.where).toBe('/etc/app/app.conf:2');
    expect(err.message).toContain('the template ends inside the block opened at this line');
    expect(err.message).toContain('2| <% if (config.greeting) { %>');
    expect(err.message).not.toContain('catch');
    const tried = error('a\n<% try { %>\nb\n');
    expect(tried.where).toBe('/etc/app/app.conf:2');
  });

  it('quotes the failing line of any other syntax error', () => {
    const err = error('a\nb\n<%= config.greeting ) %>\n');
    expect(err.where).toBe('/etc/app/app.conf:3');
    expect(err.message).toContain('3| <%= config.greeting ) %>');
  });
});
