// `specs` of either program: the JSON Schema of the manifest or of the user data, the same text from both.

import { AgentError, EXIT } from '../errors';
import { SCHEMA_NAMES, schemaJson } from '../manifest/schemas';
import type { Command } from './command';

export function specsCommand(program: string): Command {
  return {
    name: 'specs',
    usage: '[manifest|user-data]',
    details: [
      'manifest   the manifest format 0.0.4, schema v1 (/.cloudlet/manifest)',
      'user-data  what a platform may hand a machine booted from the image: {config, hostname, storage}',
      `Some rules are checked beyond the schema (paths, overlaps, sizes): "${program} validate" reports them.`,
    ],
    examples: [`${program} specs > manifest.schema.json`, `${program} specs user-data`],
    flags: {},
    positionals: true,
    async run(args, system) {
      const [which = 'manifest', ...extra] = args.positionals;
      const schema = schemaJson(which);
      if (schema === undefined || extra.length > 0) {
        throw new AgentError('E_USAGE', `specs: unknown schema "${[which, ...extra].join(' ')}"`, {
          fix: `use ${SCHEMA_NAMES.map((name) => `"${program} specs ${name}"`).join(' or ')}`,
        });
      }
      system.out(schema);
      return EXIT.ok;
    },
  };
}
