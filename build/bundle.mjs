// Bundles one TypeScript entry into one CommonJS file that the Node SEA runtime can run.

import { readFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { nodeIpcPlugin } from './node-ipc-plugin.mjs';

// SEA runs the bundle as CommonJS, where import.meta does not exist. node-ipc calls
// createRequire(import.meta.url), so every import.meta.url becomes a file URL of this file.
const IMPORT_META_URL = '__cloudletImportMetaUrl';
const BANNER = `var ${IMPORT_META_URL} = require("node:url").pathToFileURL(typeof __filename === "string" ? __filename : process.execPath).href;`;

// Boot glue (initramfs scripts, systemd units) is imported as "path?raw" and built in as text, the
// same way vite loads it in the unit tests: the executable installs it without any file beside it.
const rawTextPlugin = {
  name: 'raw-text',
  setup(build) {
    build.onResolve({ filter: /\?raw$/ }, (args) => ({ path: resolve(args.resolveDir, args.path.slice(0, -'?raw'.length)), namespace: 'raw-text' }));
    build.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text', watchFiles: [args.path] }));
  },
};

/** esbuild options shared by the real build and the smoke tests. */
export function bundleOptions({ entry, outfile, repo }) {
  return {
    absWorkingDir: repo,
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    // Whitespace and syntax only: identifiers stay readable in stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'external',
    legalComments: 'none',
    banner: { js: BANNER },
    define: { 'import.meta.url': IMPORT_META_URL },
    plugins: [nodeIpcPlugin, rawTextPlugin],
    logLevel: 'silent',
    metafile: true,
  };
}

/** Explains an esbuild failure, calling out source files that are imported but do not exist yet. */
export function describeBundleFailure(err, repo) {
  const errors = Array.isArray(err?.errors) ? err.errors : [];
  if (errors.length === 0) return String(err?.stack ?? err);
  const lines = [`bundle failed with ${errors.length} error(s):`];
  const missing = [];
  for (const e of errors) {
    const where = e.location ? `${relative(repo, e.location.file) || e.location.file}:${e.location.line}` : '(no location)';
    const unresolved = /^Could not resolve "(.+)"$/.exec(e.text);
    if (unresolved && unresolved[1].startsWith('.')) missing.push(`  ${unresolved[1]}  (imported from ${where})`);
    else lines.push(`  ${where}: ${e.text}`);
  }
  if (missing.length > 0) {
    lines.push('source files imported but not present (not written yet, or a wrong path):', ...missing);
  }
  return lines.join('\n');
}

/** Runs esbuild; returns the output size and metafile, or throws an Error with a readable message. */
export async function bundle({ entry, outfile, repo }) {
  try {
    const result = await esbuild.build(bundleOptions({ entry, outfile, repo }));
    for (const w of result.warnings) {
      const where = w.location ? `${relative(repo, w.location.file)}:${w.location.line}` : '';
      process.stderr.write(`bundle warning: ${where} ${w.text}\n`);
    }
    const out = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith('.cjs'));
    return { bytes: out ? out[1].bytes : 0, metafile: result.metafile };
  } catch (err) {
    throw new Error(describeBundleFailure(err, repo), { cause: err });
  }
}
