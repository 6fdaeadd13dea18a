// `cloudlet rm`: removes names from the store; the images' blobs stay until `cloudlet gc`.

import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { storeDirOf, storeFlagDetail } from '../store/default-dir';
import { parseNameRef } from '../store/refs';
import { Store } from '../store/store';

export const rmCommand: Command = {
  name: 'rm',
  usage: 'NAME:VERSION... [--store DIR] [--json]',
  details: [
    'NAME:VERSION  names to remove (NAME alone is NAME:latest); if any is not in the store, none is removed',
    'Only names go: the blobs stay until "cloudlet gc", which keeps whatever another name or a derived image still needs.',
    storeFlagDetail(14),
    '--json        {removed: [{ref, digest}]}',
  ],
  examples: ['cloudlet rm centos-gnome:1', 'cloudlet rm app:rc1 app:rc2 --store ./store && cloudlet gc --store ./store'],
  flags: { store: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length === 0) throw new AgentError('E_USAGE', 'rm needs at least one NAME:VERSION', { fix: 'cloudlet rm NAME:VERSION... (see cloudlet rm --help)' });
    const names = [...new Set(args.positionals.map(parseNameRef))];
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env));
    const removed = await store.withLock(`rm ${names.join(' ')}`.slice(0, 200), async () => {
      const refs = await store.refs();
      await store.removeRefs(names);
      return names.map((ref) => ({ ref, digest: refs.find((r) => r.ref === ref)?.descriptor.digest as string }));
    });
    if (boolFlag(args, 'json')) printJson(system, { removed });
    else {
      for (const r of removed) system.out(`removed ${r.ref} (${r.digest})`);
      system.err('blobs stay until "cloudlet gc"');
    }
    return EXIT.ok;
  },
};
