// `cloudlet-agent specs`: prints the JSON Schema of the manifest or of the user data.

import { AgentError, EXIT } from '../../errors';
import { schemaJson } from '../../manifest/schemas';
import type { Command } from './command';

export const specsCommand: Command = {
  name: 'specs',
  usage: '[manifest|user-data]',
  details: [
    'manifest   the manifest format 0.0.4, schema v1 (/.cloudlet/manifest)',
    'user-data  what a platform may hand this machine: {config, hostname, storage}',
    'Some rules are checked beyond the schema (paths, overlaps, sizes): "cloudlet-agent validate" reports them.',
  ],
  examples: ['cloudlet-agent specs > manifest.schema.json', 'cloudlet-agent specs user-data'],
  flags: {},
  positionals: true,
  async run(args, system) {
    const [which = 'manifest', ...extra] = args.positionals;
    const schema = schemaJson(which);
    if (schema === undefined || extra.length > 0) {
      throw new AgentError('E_USAGE', `specs: unknown schema "${[which, ...extra].join(' ')}"`, {
        fix: 'use "cloudlet-agent specs manifest" or "cloudlet-agent specs user-data"',
      });
    }
    system.out(schema);
    return EXIT.ok;
  },
};
