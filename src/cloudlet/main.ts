// Entry point of the `cloudlet` executable: the one place that calls process.exit for this program.

import { dispatch } from './cli/dispatch';
import { realSystem } from '../system/real-system';

dispatch(process.argv.slice(2), realSystem()).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`cloudlet: ${String(err)}\n`);
    process.exit(1);
  },
);
