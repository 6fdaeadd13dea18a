// `cloudlet diff A B`: what was added, removed and changed between two images or directories, and how.

import { stat } from 'node:fs/promises';
import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import type { System } from '../../system/system';
import { diffTrees, imageEntries, walkTree, type TreeEntry } from '../snapshot';
import { diffJson, diffText } from '../snapshot/diff-report';
import { Store, storeDirOf, storeFlagDetail } from '../store';

export const diffCommand: Command = {
  name: 'diff',
  usage: 'A B [--store DIR] [--json]',
  details: [
    'A, B         images of the store (NAME:VERSION, a digest or a 12+ digit prefix) or directories (an existing',
    '             directory wins over a reference of the same spelling)',
    'Lines: "+ LISTING" added, "- LISTING" removed, "~ PATH WHAT" changed, where WHAT lists what differs: type,',
    'content, size, mode, owner, link (symlink or hard link target), xattrs, device; each followed by the',
    'listing lines of both sides (docs/snapshots.md, "Listing format"). Mtimes are not compared.',
    storeFlagDetail(13),
    '--json       {a, b, added, removed, changed} as JSON',
  ],
  examples: ['cloudlet diff centos:7 centos-gnome:1', 'cloudlet diff web:1.2 ./rootfs --json'],
  flags: { store: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length !== 2) {
      throw new AgentError('E_USAGE', `diff takes two images or directories, got ${args.positionals.length}`, { fix: 'cloudlet diff web:1.1 web:1.2' });
    }
    const [a, b] = args.positionals as [string, string];
    let store: Store | undefined;
    const open = async () => (store ??= await Store.open(storeDirOf(stringFlag(args, 'store'), system.env)));
    const diff = diffTrees(await treeOf(a, open, system), await treeOf(b, open, system));
    if (boolFlag(args, 'json')) printJson(system, diffJson(a, b, diff));
    else for (const line of diffText(diff)) system.out(line);
    return EXIT.ok;
  },
};

async function treeOf(text: string, open: () => Promise<Store>, system: System): Promise<TreeEntry[]> {
  if ((await stat(text).catch(() => undefined))?.isDirectory()) return walkTree(text, { system });
  const store = await open();
  return imageEntries(store, await store.resolve(text), system);
}
