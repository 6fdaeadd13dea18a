// `cloudlet log`: an image's history along its parents, or the tree of derived images in the store.

import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { storeDirOf, storeFlagDetail } from '../store/default-dir';
import { derivationTree, historyOf, rowText, treeLines } from '../store/history';
import { readImageGraph } from '../store/image-graph';
import { Store } from '../store/store';

export const logCommand: Command = {
  name: 'log',
  usage: '[REF] [--tree] [--store DIR] [--json]',
  details: [
    'REF           an image of the store: NAME:VERSION (NAME alone is NAME:latest), sha256:DIGEST, or 12+ hex digits of one',
    '              Without --tree: REF and its ancestors, newest first, one line each:',
    '              digest (12 hex), names, created, size of the layer it adds to its parent',
    '--tree        the tree of derived images: base images as roots, each derived image indented under its parent;',
    '              with REF, only REF and what derives from it. Without REF, log prints the tree of the whole store.',
    storeFlagDetail(14),
    '--json        {history: [{digest, refs, created, layerBytes, layers, parent?, parentMissing?}]} or',
    '              {tree: [{row: {...}, children: [...]}]}',
  ],
  examples: ['cloudlet log centos-gnome:2', 'cloudlet log --tree', 'cloudlet log centos:7 --tree --store ./store --json'],
  flags: { tree: { type: 'boolean' }, store: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length > 1) {
      throw new AgentError('E_USAGE', `log takes at most one REF, got ${args.positionals.length}`, { fix: 'cloudlet log [REF] [--tree] (see cloudlet log --help)' });
    }
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env));
    const ref = args.positionals[0];
    const image = ref === undefined ? undefined : await store.resolve(ref);
    const graph = await readImageGraph(store, image ? [image.descriptor] : []);
    const json = boolFlag(args, 'json');
    if (image && !boolFlag(args, 'tree')) {
      const history = historyOf(graph, image.digest);
      if (json) printJson(system, { history });
      else for (const row of history) system.out(rowText(row));
      return EXIT.ok;
    }
    const tree = derivationTree(graph, image?.digest);
    if (json) printJson(system, { tree });
    else if (tree.length === 0) system.err(`the store ${store.dir} has no images`);
    else for (const line of treeLines(tree)) system.out(line);
    return EXIT.ok;
  },
};
