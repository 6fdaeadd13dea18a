// `cloudlet pull HOST/REPO:TAG|@DIGEST [--tag NAME:VERSION]`: an image from an OCI registry into the store, every byte verified.

import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { humanBytes } from '../bake/progress';
import { RegistryClient } from '../registry/client';
import { clientOptions, REGISTRY_DETAILS, REGISTRY_FLAGS } from '../registry/options';
import { defaultLocalRef, pullImage } from '../registry/pull';
import { parseRegistryRef } from '../registry/reference';
import { parseNameRef, Store } from '../store';
import { storeDirOf } from '../store/default-dir';

export const pullCommand: Command = {
  name: 'pull',
  usage: 'HOST[:PORT]/REPO[:TAG|@DIGEST] [--tag NAME:VERSION] [--store DIR] [--insecure] [--timeout SECONDS] [--deadline SECONDS] [--json]',
  details: [
    'HOST/REPO:TAG       what to pull; the host is always named (TAG defaults to latest); @sha256:... pins the manifest',
    '--tag NAME:VERSION  the name it gets in the store (default: the repository\'s last component and TAG, or',
    '                    sha256-<first 12 hex digits> for a digest alone); an existing name is moved to it',
    'The manifest is checked against the digest asked for (or the one the registry names); an index gives its',
    'linux/amd64 image. Blobs the store has are not fetched again; each fetched blob is checked for size and digest',
    'as it arrives and a mismatch is refused with nothing kept. The name is set last, under the store lock: a pull',
    'cut short leaves the store as it was (plus verified blobs), and running it again finishes it.',
    ...REGISTRY_DETAILS,
  ],
  examples: ['cloudlet pull 127.0.0.1:5000/apps/web:1.2', 'cloudlet pull registry.example.org/apps/web@sha256:0123... --tag web:pinned --store ./store'],
  flags: { ...REGISTRY_FLAGS, tag: { type: 'string' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length !== 1) {
      throw new AgentError('E_USAGE', `pull takes one HOST/REPO:TAG, got ${args.positionals.length} argument(s)`, { fix: 'cloudlet pull 127.0.0.1:5000/apps/web:1.2' });
    }
    const source = parseRegistryRef(args.positionals[0]!);
    const localRef = parseNameRef(stringFlag(args, 'tag') ?? defaultLocalRef(source));
    const dir = storeDirOf(stringFlag(args, 'store'), system.env);
    const client = new RegistryClient(await clientOptions(args, system.env, source, false));
    try {
      const report = await pullImage(() => Store.open(dir, { create: true }), source, localRef, client);
      if (boolFlag(args, 'json')) {
        printJson(system, report);
        return EXIT.ok;
      }
      system.out(`pulled ${report.source} as ${report.ref} (${report.digest})`);
      for (const b of report.blobs) system.out(`  ${b.digest}  ${humanBytes(b.size).padStart(10)}  ${b.action}`);
      system.out(`blobs: ${humanBytes(report.fetchedBytes)} fetched, ${humanBytes(report.presentBytes)} already in the store`);
      return EXIT.ok;
    } finally {
      client.close();
    }
  },
};
