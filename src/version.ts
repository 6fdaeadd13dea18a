// The version of both programs (one package.json), taken at build time.

import pkg from '../package.json';

export const VERSION: string = pkg.version;

/** The agent's version, as its status files record it. */
export const AGENT_VERSION: string = VERSION;
