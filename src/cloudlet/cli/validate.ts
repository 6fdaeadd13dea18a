// `cloudlet validate`: the agent's validate report, for an image tree or a manifest file on the build host.

import { AgentError, EXIT } from '../../errors';
import { reportJson, reportText, validationReport } from '../../manifest/validation-report';
import { boolFlag, printJson, stringFlag, type Command } from '../../cli-kit/command';
// The agent's own look at an image tree, so that this report and the agent's cannot disagree (docs/design.md).
import { checkImage } from '../../agent/image-check/check-image';

export const validateCommand: Command = {
  name: 'validate',
  usage: '(--root DIR | --manifest FILE) [--user-data FILE] [--json]',
  details: [
    '--root DIR         the image tree whose /.cloudlet/manifest is checked, and the tree itself: templates',
    '                   compiled, includes resolved and rendered in memory (with --user-data, else the config',
    "                   schema's defaults and examples), entry point files, storage for persistent paths",
    '--manifest FILE    check this manifest file instead (a manifest kept beside the image)',
    "--user-data FILE   also check this user data (JSON, at most 1 MiB) against the manifest's config schema",
    '--json             {valid, problems: [{path, message, source, fix?}], manifest: {name, version}, image: {root, templates}}',
    'The report is the one "cloudlet-agent validate" gives inside the image.',
    'Exit status: 0 valid, 2 invalid. Secret (writeOnly) values are never printed.',
  ],
  examples: ['cloudlet validate --root ./image', 'cloudlet validate --manifest manifest.json --user-data ud.json --json'],
  flags: { root: { type: 'string' }, manifest: { type: 'string' }, 'user-data': { type: 'string' }, json: { type: 'boolean' } },
  async run(args, system) {
    const root = stringFlag(args, 'root');
    const file = stringFlag(args, 'manifest');
    // The agent's default root is the machine it runs on; a build host's own / is no image.
    if ((root === undefined) === (file === undefined)) {
      throw new AgentError('E_USAGE', `validate: give --root DIR or --manifest FILE${root === undefined ? '' : ', not both'}`, {
        fix: 'see "cloudlet validate --help"',
      });
    }
    const source = file !== undefined ? { root: '/', file } : { root: root as string };
    const report = await validationReport(source, stringFlag(args, 'user-data'), (input) => checkImage({ ...input, system }));
    if (boolFlag(args, 'json')) printJson(system, reportJson(report));
    else system.out(reportText(report));
    return report.valid ? EXIT.ok : EXIT.usage;
  },
};
