// Runs a program's wrapped bundle on training command lines, then writes V8's code cache of it.
//
// Usage (by build/code-cache.mjs, with the pinned Node and no NODE_OPTIONS):
//   node build/code-cache-train.cjs train SCRIPT CACHE JSON-ARGV-LIST   run each argv, write CACHE
//   node build/code-cache-train.cjs check SCRIPT CACHE                  exit 0 when V8 accepts CACHE
// SCRIPT is the bundle inside a CommonJS wrapper, exactly the text the executable compiles.
'use strict';

const { readFileSync, writeFileSync } = require('node:fs');
const { basename } = require('node:path');
const { Script } = require('node:vm');

const [mode, scriptFile, cacheFile, argvList] = process.argv.slice(2);
const source = readFileSync(scriptFile, 'utf8');
const filename = basename(scriptFile);

if (mode === 'check') {
  const script = new Script(source, { filename, cachedData: readFileSync(cacheFile) });
  process.exit(script.cachedDataRejected ? 1 : 0);
}

/** Runs one command line of the program in this process; resolves with its exit code. */
function runProgram(script, argv) {
  return new Promise((resolve) => {
    const exit = process.exit;
    // The program ends with process.exit(code): here that ends one training run, not the process.
    process.exit = (code) => {
      process.exit = exit;
      resolve(code ?? 0);
    };
    process.argv = [process.execPath, scriptFile, ...argv];
    const mod = { exports: {} };
    script.runInThisContext().call(mod.exports, mod.exports, require, mod, scriptFile, __dirname);
  });
}

async function main() {
  const script = new Script(source, { filename });
  const codes = [];
  for (const argv of JSON.parse(argvList)) codes.push(await runProgram(script, argv));
  // Functions compiled while the commands ran are part of the script now, and so of its cache.
  writeFileSync(cacheFile, script.createCachedData());
  process.stdout.write(`${JSON.stringify(codes)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
