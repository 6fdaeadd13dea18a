// `cloudlet checkout REF DIR`: an image version of the store materialised exactly (owners, modes, xattrs, devices).

import { resolve } from 'node:path';
import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { checkoutImage, trackedDigest } from '../snapshot';
import { Store, storeDirOf, storeFlagDetail } from '../store';

export const checkoutCommand: Command = {
  name: 'checkout',
  usage: 'REF DIR | --git REPO REV:NAME DIR [--store DIR] [--json]',
  details: [
    'REF              an image of the store: NAME:VERSION, a digest or a unique prefix of 12+ hex digits',
    '--git REPO       read the image from a tracking repository (cloudlet snapshot --git) instead: REV:NAME is a Git',
    '                 revision and an image name, e.g. HEAD~2:web; its NAME/image file gives the digest',
    'DIR              must not exist or be empty; the tree is built beside it and renamed into place, so a failure',
    '                 leaves nothing. Run as root: owners, device nodes and trusted/security xattrs need it.',
    storeFlagDetail(17),
    '--json           {ref, digest, dir} as JSON',
  ],
  examples: ['cloudlet checkout centos-gnome:1 ./rootfs', 'cloudlet checkout --git ./images HEAD~1:web ./web-previous'],
  flags: { git: { type: 'string' }, store: { type: 'string' }, json: { type: 'boolean' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length !== 2) {
      throw new AgentError('E_USAGE', `checkout takes an image and a directory, got ${args.positionals.length} argument(s)`, { fix: 'cloudlet checkout web:1.2 ./rootfs' });
    }
    const [what, dir] = args.positionals as [string, string];
    const repo = stringFlag(args, 'git');
    const ref = repo !== undefined ? await trackedDigest(system, resolve(repo), what) : what;
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env));
    const image = await store.resolve(ref);
    const out = await checkoutImage(store, image, dir, system);
    if (boolFlag(args, 'json')) printJson(system, { ref: image.ref ?? null, digest: image.digest, dir: out });
    else system.out(`${out}: ${image.ref ?? image.digest} (${image.digest})`);
    return EXIT.ok;
  },
};
