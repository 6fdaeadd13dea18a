// `cloudlet push REF HOST/REPO:TAG`: an image of the store to an OCI registry, sending only the blobs it lacks.

import { AgentError, EXIT } from '../../errors';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
import { humanBytes } from '../bake/progress';
import { RegistryClient } from '../registry/client';
import { chunkBytes, clientOptions, REGISTRY_DETAILS, REGISTRY_FLAGS } from '../registry/options';
import { pushImage } from '../registry/push';
import { parseRegistryRef } from '../registry/reference';
import { Store } from '../store';
import { storeDirOf } from '../store/default-dir';

export const pushCommand: Command = {
  name: 'push',
  usage: 'REF HOST[:PORT]/REPO[:TAG] [--store DIR] [--chunk-size SIZE] [--insecure] [--timeout SECONDS] [--deadline SECONDS] [--json]',
  details: [
    'REF                 an image of the store: NAME:VERSION, a digest or a unique digest prefix',
    'HOST/REPO:TAG       where it goes; the host is always named (TAG defaults to latest)',
    'Each blob is asked for first (HEAD) and sent only if the registry lacks it; a blob this store pulled from or',
    'pushed to another repository of the same registry is mounted from there instead of sent, where the registry',
    'offers it. Uploads go in chunks; the manifest goes last, so the tag never names an image with missing blobs.',
    '--chunk-size SIZE   the most bytes one upload request carries (default 16M)',
    ...REGISTRY_DETAILS,
  ],
  examples: ['cloudlet push web:1.2 127.0.0.1:5000/apps/web:1.2', 'cloudlet push web:1.2 registry.example.org/apps/web:1.2 --json'],
  flags: { ...REGISTRY_FLAGS, 'chunk-size': { type: 'string' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length !== 2) {
      throw new AgentError('E_USAGE', `push takes REF and HOST/REPO:TAG, got ${args.positionals.length} argument(s)`, { fix: 'cloudlet push web:1.2 127.0.0.1:5000/apps/web:1.2' });
    }
    const [ref, targetText] = args.positionals as [string, string];
    const target = parseRegistryRef(targetText);
    if (target.digest !== undefined) throw new AgentError('E_USAGE', `push needs a tag to push to, not a digest (${targetText})`, { fix: 'write HOST/REPO:TAG' });
    const chunk = chunkBytes(args);
    const store = await Store.open(storeDirOf(stringFlag(args, 'store'), system.env));
    const client = new RegistryClient(await clientOptions(args, system.env, target, true));
    try {
      const report = await pushImage(store, ref, target, client, chunk);
      if (boolFlag(args, 'json')) {
        printJson(system, report);
        return EXIT.ok;
      }
      system.out(`pushed ${report.ref} to ${report.target} (${report.digest})`);
      for (const b of report.blobs) system.out(`  ${b.digest}  ${humanBytes(b.size).padStart(10)}  ${b.action}`);
      const count = (a: string) => report.blobs.filter((b) => b.action === a).length;
      system.out(`blobs: ${count('uploaded')} uploaded (${humanBytes(report.sentBytes)} sent), ${count('present')} already there, ${count('mounted')} mounted (${humanBytes(report.skippedBytes)} not sent)`);
      return EXIT.ok;
    } finally {
      client.close();
    }
  },
};
