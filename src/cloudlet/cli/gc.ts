// `cloudlet gc`: removes the store's blobs that no named image, nor any ancestor of one, needs.

import { EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { storeDirOf, storeFlagDetail } from '../store/default-dir';
import { gc } from '../store/gc';
import { humanBytes } from '../bake/progress';
import { Store } from '../store/store';

export const gcCommand: Command = {
  name: 'gc',
  usage: '[--dry-run] [--store DIR] [--json]',
  details: [
    'Keeps every image index.json names, its config and layers, and each image it derives from (io.cloudlets.parent),',
    'transitively, so history survives removing or moving names. Everything else in blobs/sha256 goes, and so do',
    'temporary files of commands that were killed. Runs under the store lock: no snapshot or pull runs meanwhile.',
    '--dry-run     list what would go and write nothing',
    storeFlagDetail(14),
    '--json        {dryRun, removed: [{digest, size}], tempFiles, bytes, kept}',
  ],
  examples: ['cloudlet gc --dry-run', 'cloudlet gc --store ./store --json'],
  flags: { 'dry-run': { type: 'boolean' }, store: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, system) {
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env));
    const report = await gc(store, { dryRun: boolFlag(args, 'dry-run') });
    if (boolFlag(args, 'json')) {
      printJson(system, report);
      return EXIT.ok;
    }
    const verb = report.dryRun ? 'would remove' : 'removed';
    for (const b of report.removed) system.out(`${verb} ${b.digest}  ${humanBytes(b.size)}`);
    for (const t of report.tempFiles) system.out(`${verb} ${t}`);
    const what = `${report.removed.length} blob(s), ${report.tempFiles.length} temporary file(s), ${humanBytes(report.bytes)}`;
    system.out(report.dryRun ? `would free ${what}; ${report.kept} blob(s) kept` : `freed ${what}; ${report.kept} blob(s) kept`);
    return EXIT.ok;
  },
};
