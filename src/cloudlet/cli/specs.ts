// `cloudlet specs`: the JSON Schema of the manifest or of the user data, the same text as the agent's.

import { specsCommand as makeSpecsCommand } from '../../cli-kit/specs-command';

export const specsCommand = makeSpecsCommand('cloudlet');
