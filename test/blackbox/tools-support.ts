// Shared by the query, clean and collect-logs blackbox tests: an image whose templates render two secrets, and a run of it.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeImage, runAgent, tempDir, type AgentRun } from './harness';

/** From the user data: writeOnly in the config schema. */
export const USER_SECRET = 'Xq7-user-pw-Zr2k9';
/** The manifest's default of a writeOnly field: a secret that no user data carries. */
export const DEFAULT_SECRET = 'Mv4-baked-tok-Pw8j';
export const SOURCE = 'user=<%= config.db.user %>\npassword=<%= config.db.password %>\ntoken=<%= config.token %>\n';

export const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'toolsdemo',
  version: '2.0.0',
  config: {
    schema: {
      type: 'object',
      properties: {
        greeting: { type: 'string', default: 'hi' },
        db: { type: 'object', properties: { user: { type: 'string' }, password: { type: 'string', writeOnly: true } } },
        token: { type: 'string', writeOnly: true, default: DEFAULT_SECRET },
      },
    },
  },
  templates: [{ path: '/etc/app/app.conf', mode: '0640' }, '/etc/motd'],
  entrypoints: { init: { path: '/sbin/init' } },
};

export interface ToolsImage {
  root: string;
  userData: string;
  runDir: string;
  /** a scratch directory outside the image */
  scratch: string;
  cleanup(): void;
}

export function toolsImage(): ToolsImage {
  const img = makeImage(MANIFEST, {
    '/etc/app/app.conf': { content: SOURCE, mode: 0o600 },
    '/etc/motd': '<%= config.greeting %> from <%= manifest.name %>\n',
    '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 },
  });
  const tmp = tempDir('cloudlet-tools-bb-');
  const userData = join(tmp.dir, 'user-data.json');
  writeFileSync(userData, JSON.stringify({ config: { greeting: 'hello', db: { user: 'app', password: USER_SECRET } } }));
  return {
    root: img.root,
    userData,
    runDir: join(tmp.dir, 'run'),
    scratch: tmp.dir,
    cleanup: () => {
      img.cleanup();
      tmp.cleanup();
    },
  };
}

/** `run` of the image with its user data, recording into its run directory. */
export function runImage(image: ToolsImage): AgentRun {
  return runAgent(['run', '--root', image.root, '--user-data', image.userData, '--run-dir', image.runDir]);
}

/** Every regular file under `dir`, with its content. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((path) => ({ path, text: readFileSync(path, 'latin1') }));
}
