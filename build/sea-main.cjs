// The executable's main script: runs the agent bundle (an asset) from the V8 code cache made at build time.
//
// Node's own SEA code cache holds what compiling the bundle yields, its top level only: every
// function the agent calls was still compiled on its first call, at every start. The cache asset
// was made after the agent had run its boot path (build/code-cache.mjs), so it holds those
// functions compiled. If V8 refuses the cache (another V8, other flags) it compiles the source
// instead: slower, same behaviour.
'use strict';

const { getAsset } = require('node:sea');
const { Script } = require('node:vm');

const script = new Script(getAsset('cloudlet-agent.js', 'utf8'), {
  filename: 'cloudlet-agent.cjs',
  cachedData: new Uint8Array(getAsset('cloudlet-agent.code-cache')),
});
// The asset is the bundle inside a CommonJS module wrapper: it runs with this module's require
// (built-in modules only, as in any SEA), exports and paths, as the bundle did when it was the main script.
script.runInThisContext().call(module.exports, exports, require, module, __filename, __dirname);
