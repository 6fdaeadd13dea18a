// Image roots for the benchmark: a generated root with many templates, and a copy of the example.

import { chmodSync, cpSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['owner'],
  properties: {
    greeting: { type: 'string', default: 'hello' },
    owner: { type: 'string', minLength: 1 },
    port: { type: 'integer', minimum: 1, maximum: 65535, default: 8080 },
    features: { type: 'array', items: { type: 'string' }, default: [] },
    token: { type: 'string', writeOnly: true },
  },
};

// Each template uses several config values, a loop and a condition: typical small config files.
const TEMPLATE = [
  '# rendered by cloudlet-agent for <%= manifest.name %>',
  'greeting = <%= config.greeting %>',
  'owner = <%= config.owner %>',
  'port = <%= config.port + INDEX %>',
  '<% for (const feature of config.features) { -%>',
  'feature.<%= feature %> = on',
  '<% } -%>',
  '<% if (config.token) { %>token = <%= config.token %><% } %>',
  '',
].join('\n');

function write(root, path, content, mode) {
  const host = join(root, path);
  mkdirSync(dirname(host), { recursive: true });
  writeFileSync(host, content);
  if (mode !== undefined) chmodSync(host, mode);
}

/** Writes into `root` an image whose manifest lists `count` templates using config values. */
export function writeTemplateRoot(root, count) {
  const templates = [];
  for (let i = 0; i < count; i++) {
    const path = `/etc/bench/conf.d/${String(i).padStart(3, '0')}.conf`;
    templates.push(i % 10 === 0 ? { path, mode: '0640' } : path);
    write(root, path, TEMPLATE.replace('INDEX', String(i)));
  }
  const manifest = {
    cloudlet: '0.0.4',
    name: 'bench',
    version: '1.0.0',
    platforms: ['file'],
    config: { schema: CONFIG_SCHEMA },
    templates,
    entrypoints: { init: { path: '/sbin/init', requires: { os: 'linux' } } },
  };
  write(root, '/.cloudlet/manifest', `${JSON.stringify(manifest, null, 2)}\n`);
  write(root, '/sbin/init', '#!/bin/sh\nexit 0\n', 0o755);
}

/** User data for the generated root. */
export function templateUserData() {
  return { hostname: 'bench', config: { owner: 'bench team', features: ['metrics', 'tls', 'debug'], token: 'bench-secret-token' } };
}

/** The example image (examples/hello) if the repository has it, else a small generated one. */
export function exampleImage(repo, work) {
  const rootfs = join(repo, 'examples', 'hello', 'rootfs');
  const userData = join(repo, 'examples', 'hello', 'user-data.json');
  if (existsSync(join(rootfs, '.cloudlet', 'manifest')) && existsSync(userData)) {
    return { rootfs, userData, generated: false };
  }
  const root = join(work, 'example-rootfs');
  writeTemplateRoot(root, 3);
  const file = join(work, 'example-user-data.json');
  writeFileSync(file, JSON.stringify(templateUserData()));
  return { rootfs: root, userData: file, generated: true };
}

/** A writable copy of an image root (runs change files). */
export function copyRoot(from, to) {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  for (const dir of ['proc', 'sys', 'dev', 'run', 'tmp']) mkdirSync(join(to, dir), { recursive: true });
}
