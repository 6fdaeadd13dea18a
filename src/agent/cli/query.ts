// `cloudlet-agent query [KEY]`: the template context (env, meta, config) this boot's run rendered with, secrets redacted.

import { AgentError, EXIT } from '../../errors';
import { contextFile, readContext } from '../status/context-record';
import { lookup } from '../query/lookup';
import { boolFlag, printJson, stringFlag, type Command } from './command';

export const queryCommand: Command = {
  name: 'query',
  usage: '[KEY] [--json] [--run-dir DIR]',
  details: [
    'KEY            a dotted key: env.hostname, meta.instanceId, config.db.user, meta.keys.0; without it, the whole context',
    '--json         print the value as JSON even when it is a string (a string alone prints as it is, for scripts)',
    '--run-dir DIR  read DIR/cloudlet/context.json instead of /run/cloudlet/context.json (tests and chroots)',
    'The context is the one the last run of this boot rendered templates with, recorded when it ran: writeOnly',
    'config values read "<secret>", and a value the templates saw as undefined reads null. Readable by root only.',
  ],
  examples: ['cloudlet-agent query', 'cloudlet-agent query meta.instanceId', 'cloudlet-agent query config --json | jq .'],
  flags: { json: { type: 'boolean' }, 'run-dir': { type: 'string' } },
  positionals: true,
  async run(args, system) {
    if (args.positionals.length > 1) {
      throw new AgentError('E_USAGE', `query takes one KEY, got ${args.positionals.length}: ${args.positionals.join(' ')}`, {
        fix: 'query one key at a time, or the whole context without one',
      });
    }
    const doc = readContext(contextFile(stringFlag(args, 'run-dir') ?? system.hostPaths.run));
    const context = { env: doc.env, meta: doc.meta, config: doc.config };
    const key = args.positionals[0];
    const value = key === undefined ? context : lookup(context, key);
    if (typeof value === 'string' && !boolFlag(args, 'json')) system.out(value);
    else printJson(system, value);
    return EXIT.ok;
  },
};
