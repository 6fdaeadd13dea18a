// `cloudlet-agent validate`: every problem of a manifest, of user data against it and of the image tree, at once, by JSON path.

import { AgentError, EXIT } from '../../errors';
import { reportJson, reportText, validationReport } from '../../manifest/validation-report';
import { checkImage } from '../image-check/check-image';
import { boolFlag, printJson, stringFlag, type Command } from './command';

export const validateCommand: Command = {
  name: 'validate',
  usage: '[--root DIR | --manifest FILE] [--user-data FILE] [--json]',
  details: [
    '--root DIR         the image root whose /.cloudlet/manifest is checked (default /), and the tree itself:',
    '                   templates compiled, includes resolved and rendered in memory (with --user-data, else the',
    "                   config schema's defaults and examples), entry point files, storage for persistent paths",
    '--manifest FILE    check this manifest file instead',
    '--user-data FILE   also check this user data (JSON, at most 1 MiB) against the manifest\'s config schema',
    '--json             {valid, problems: [{path, message, source, fix?}], manifest: {name, version}, image: {root, templates}}',
    'Exit status: 0 valid, 2 invalid. Secret (writeOnly) values are never printed.',
  ],
  examples: [
    'cloudlet-agent validate --root ./image',
    'cloudlet-agent validate --manifest manifest.json --user-data ud.json --json',
  ],
  flags: { root: { type: 'string' }, manifest: { type: 'string' }, 'user-data': { type: 'string' }, json: { type: 'boolean' } },
  async run(args, system) {
    const root = stringFlag(args, 'root');
    const file = stringFlag(args, 'manifest');
    if (root !== undefined && file !== undefined) {
      throw new AgentError('E_USAGE', 'validate: give --root or --manifest, not both', { fix: 'see "cloudlet-agent validate --help"' });
    }
    const report = await validationReport({ root: root ?? '/', ...(file !== undefined ? { file } : {}) }, stringFlag(args, 'user-data'), (input) =>
      checkImage({ ...input, system }),
    );
    if (boolFlag(args, 'json')) printJson(system, reportJson(report));
    else system.out(reportText(report));
    return report.valid ? EXIT.ok : EXIT.usage;
  },
};
