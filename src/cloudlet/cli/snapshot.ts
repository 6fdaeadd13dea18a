// `cloudlet snapshot`: store a tree (directory, tarball, OCI layout, docker archive) as an image version in the store.

import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { humanBytes } from '../bake/progress';
import { parseSourceDateEpoch } from '../bake/request';
import { snapshot } from '../snapshot';
import { Store, storeDirOf, storeFlagDetail } from '../store';

export const snapshotCommand: Command = {
  name: 'snapshot',
  usage: 'DIR|TARBALL --tag NAME:VERSION [--parent REF] [--git REPO] [--epoch SECONDS] [--store DIR] [--json]',
  details: [
    'DIR|TARBALL         the tree: a directory, a tarball (.tar, .tar.gz, .tar.zst, .tar.xz), an OCI layout or a docker',
    '                    archive (unpacked into the store\'s tmp/ first)',
    '--tag NAME:VERSION  the name of the new version (NAME alone means NAME:latest); an existing tag moves',
    '--parent REF        store only what changed against this image (NAME:VERSION, a digest or a 12+ digit prefix) as',
    '                    one new layer: whiteouts for deletions, an opaque marker for a directory emptied and refilled.',
    '                    Without it the tree is one full layer. An unchanged tree gives an empty layer (a new version',
    '                    with no changes), and the same tree over the same parent always gives the same digest.',
    '--git REPO          also write NAME/manifest.json, NAME/tree.txt (the listing) and NAME/image (digest, ref) into the',
    '                    Git repository REPO (git init if missing) and commit them; the tree\'s bytes stay in the store',
    '--epoch SECONDS     clamp mtimes to it and stamp the image with it (default $SOURCE_DATE_EPOCH, else the newest mtime)',
    storeFlagDetail(20),
    '--json              the report as JSON',
    'Prints the new manifest digest. Run as root to keep owners, devices and every extended attribute.',
  ],
  examples: [
    'cloudlet snapshot ./rootfs --tag centos:7',
    'cloudlet snapshot ./rootfs --tag centos-gnome:1 --parent centos:7 --git ./images',
    'cloudlet snapshot debian.tar.zst --tag debian:12 --json',
  ],
  flags: {
    tag: { type: 'string' },
    parent: { type: 'string' },
    git: { type: 'string' },
    epoch: { type: 'string' },
    store: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: true,
  async run(args, system) {
    const source = args.positionals[0];
    if (source === undefined || args.positionals.length > 1) {
      throw new AgentError('E_USAGE', source === undefined ? 'snapshot needs a DIR or TARBALL' : `snapshot takes one tree, got ${args.positionals.length}`, { fix: 'cloudlet snapshot ./rootfs --tag NAME:VERSION' });
    }
    const tag = stringFlag(args, 'tag');
    if (!tag) throw new AgentError('E_USAGE', 'snapshot needs --tag NAME:VERSION', { fix: 'name the version, e.g. --tag web:1.2' });
    const parent = stringFlag(args, 'parent');
    const git = stringFlag(args, 'git');
    const epochText = stringFlag(args, 'epoch');
    const epoch = epochText !== undefined ? parseSourceDateEpoch(epochText) : parseSourceDateEpoch(system.env.SOURCE_DATE_EPOCH);
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env), { create: true });
    const report = await snapshot(store, { source, tag, ...(parent !== undefined ? { parent } : {}), ...(git !== undefined ? { git } : {}), ...(epoch !== undefined ? { epoch } : {}) }, system);
    if (boolFlag(args, 'json')) {
      printJson(system, report);
      return EXIT.ok;
    }
    system.out(report.digest);
    system.err(`${report.ref}: ${report.added} added, ${report.removed} removed, ${report.changed} changed; layer ${humanBytes(report.layer.size)}`);
    if (report.git) system.err(report.git.commit ? `committed ${report.git.commit} in ${report.git.repo}` : `${report.git.repo}: ${report.git.dir} already as committed`);
    return EXIT.ok;
  },
};
