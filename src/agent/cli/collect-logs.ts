// `cloudlet-agent collect-logs`: one tar.gz of this boot's records, console lines, journal excerpt, manifest and facts, secrets scrubbed.

import { resolve } from 'node:path';
import { EXIT } from '../../errors';
import type { System } from '../../system/system';
import { BUNDLE_DIR, BUNDLE_MODE, writeBundle } from '../collect-logs/archive';
import { gatherMembers, type Member } from '../collect-logs/gather';
import { boolFlag, printJson, rootOf, stringFlag, type Command } from './command';

const DEFAULT_OUTPUT = 'cloudlet-logs.tar.gz';

export const collectLogsCommand: Command = {
  name: 'collect-logs',
  usage: '[-o, --output FILE] [--root DIR] [--run-dir DIR] [--user-data FILE] [--dry-run] [--json]',
  details: [
    `-o, --output FILE  where the tarball goes (default ./${DEFAULT_OUTPUT}); written whole or not at all, mode 0600`,
    '--root DIR         the image root whose manifest (and baked user data) to read (default /)',
    '--run-dir DIR      read DIR/cloudlet instead of /run/cloudlet (tests and chroots)',
    '--user-data FILE   user data given to this machine: its writeOnly values are scrubbed too',
    '--dry-run          gather and list what would go in; write nothing',
    '--json             what went in, as JSON',
    `Inside ${BUNDLE_DIR}/: status.json, report.json, context.json, console.txt, journal.txt, manifest.json,`,
    'facts.json; a file that could not be had is NAME.missing.txt saying why. Every file is scrubbed of the',
    "secrets known now (the manifest's writeOnly defaults, baked and given user data); the run's own records were",
    'scrubbed of its secrets when they were written.',
  ],
  examples: ['cloudlet-agent collect-logs', 'cloudlet-agent collect-logs -o /tmp/boot-logs.tar.gz && tar -tzf /tmp/boot-logs.tar.gz'],
  flags: { output: { type: 'string', short: 'o' }, root: { type: 'string' }, 'run-dir': { type: 'string' }, 'user-data': { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args, system) {
    const target = resolve(stringFlag(args, 'output') ?? DEFAULT_OUTPUT);
    const userData = stringFlag(args, 'user-data');
    const members = await gatherMembers(system, {
      root: rootOf(args),
      runDir: stringFlag(args, 'run-dir') ?? system.hostPaths.run,
      userDataFiles: userData ? [userData] : [],
    });
    const dryRun = boolFlag(args, 'dry-run');
    const bytes = dryRun ? undefined : await writeBundle(system, target, members);
    if (boolFlag(args, 'json')) {
      printJson(system, { file: target, ...(bytes === undefined ? { dryRun: true } : { bytes }), mode: '0600', members: members.map((m) => ({ name: `${BUNDLE_DIR}/${m.name}`, bytes: Buffer.byteLength(m.content), ...(m.note ? { note: m.note } : {}) })) });
    } else {
      printText(system, target, bytes, members);
    }
    return EXIT.ok;
  },
};

function printText(system: System, target: string, bytes: number | undefined, members: readonly Member[]): void {
  const mode = `mode ${BUNDLE_MODE.toString(8).padStart(4, '0')}`;
  system.out(bytes === undefined ? `cloudlet-agent: would write ${target} (${mode}; nothing written, --dry-run), holding:` : `cloudlet-agent: wrote ${target} (${size(bytes)}, ${mode}), holding:`);
  const width = Math.max(...members.map((m) => m.name.length)) + BUNDLE_DIR.length + 1;
  for (const m of members) {
    system.out(`  ${`${BUNDLE_DIR}/${m.name}`.padEnd(width)}  ${size(Buffer.byteLength(m.content)).padStart(10)}${m.note ? `  ${m.note}` : ''}`);
  }
}

function size(n: number): string {
  return n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`;
}
