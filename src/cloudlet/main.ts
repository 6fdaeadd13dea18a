// Entry point of `cloudlet`: the one place that ends the process (through runMain).

import { runMain } from '../cli-kit/run-main';
import { realSystem } from '../system/real-system';
import { dispatch } from './cli/dispatch';

runMain('cloudlet', () => dispatch(process.argv.slice(2), realSystem()));
