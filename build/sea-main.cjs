// An executable's main script: runs its program's bundle (an asset) from the V8 code cache made at build time.
//
// Node's own SEA code cache holds what compiling the bundle yields, its top level only: every
// function the program calls was still compiled on its first call, at every start. The cache asset
// was made after the program had run its training commands (build/code-cache.mjs), so it holds those
// functions compiled. If V8 refuses the cache (another V8, other flags) it compiles the source
// instead: slower, same behaviour.
'use strict';

const { getAsset } = require('node:sea');
const { Script } = require('node:vm');

const script = new Script(getAsset('bundle.js', 'utf8'), {
  filename: getAsset('bundle.filename', 'utf8'),
  cachedData: new Uint8Array(getAsset('bundle.code-cache')),
});
// The asset is the bundle inside a CommonJS module wrapper: it runs with this module's require
// (built-in modules only, as in any SEA), exports and paths, as the bundle did when it was the main script.
script.runInThisContext().call(module.exports, exports, require, module, __filename, __dirname);
