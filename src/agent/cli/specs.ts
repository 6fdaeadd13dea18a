// `cloudlet-agent specs`: the JSON Schema of the manifest or of the user data (the shared command, named for the agent).

import { specsCommand as makeSpecsCommand } from '../../cli-kit/specs-command';

export const specsCommand = makeSpecsCommand('cloudlet-agent');
