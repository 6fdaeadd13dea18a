// `cloudlet tag`: gives an image of the store another NAME:VERSION (moving that name if it was in use).

import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { storeDirOf, storeFlagDetail } from '../store/default-dir';
import { parseNameRef } from '../store/refs';
import { Store } from '../store/store';

export const tagCommand: Command = {
  name: 'tag',
  usage: 'SRC NEW [--store DIR] [--json]',
  details: [
    'SRC           an image of the store: NAME:VERSION (NAME alone is NAME:latest), sha256:DIGEST, or 12+ hex digits of one',
    'NEW           the new NAME:VERSION; if it names another image now, it is moved (that image keeps its other names)',
    storeFlagDetail(14),
    '--json        {ref, digest, previous}: previous is the digest NEW pointed at before, or null',
  ],
  examples: ['cloudlet tag centos-gnome:2 centos-gnome:stable', 'cloudlet tag 3f2a9c1b7d4e app:1.0 --store ./store --json'],
  flags: { store: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run(args, system) {
    const [src, dest] = args.positionals;
    if (src === undefined || dest === undefined || args.positionals.length > 2) {
      throw new AgentError('E_USAGE', `tag takes SRC and NEW, got ${args.positionals.length} argument(s)`, { fix: 'cloudlet tag SRC NAME:VERSION (see cloudlet tag --help)' });
    }
    const ref = parseNameRef(dest);
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env));
    const result = await store.withLock(`tag ${ref}`, async () => {
      const image = await store.resolve(src);
      const previous = (await store.refs()).find((r) => r.ref === ref)?.descriptor.digest ?? null;
      await store.setRef(ref, image.descriptor);
      return { ref, digest: image.digest, previous };
    });
    if (boolFlag(args, 'json')) printJson(system, result);
    else system.out(`${result.ref} -> ${result.digest}${result.previous && result.previous !== result.digest ? ` (was ${result.previous})` : ''}`);
    return EXIT.ok;
  },
};
