// One fuzz case from its seed: which input is hostile (manifest, config schema, user data, command line) and how.

import { IMAGE_FILES, manifestWith, SCHEMAS, USER_DATA, userDataWithoutDisks } from './corpus';
import { mutateCmdline } from './cmdline-mutations';
import { bendText, hostileValue, pathsOf, replaceAt, toText, valueAt, type Path } from './json-mutations';
import { Prng } from './prng';
import { costlyConfig, hostileSubschema } from './schema-mutations';

export type CaseKind = 'manifest' | 'schema' | 'user-data' | 'cmdline';

export interface FuzzCase {
  index: number;
  kind: CaseKind;
  /** /.cloudlet/manifest of the image */
  manifest: Buffer;
  /** the --user-data file (and the baked /etc/cloudlet/user-data.json when `baked`) */
  userData: Buffer;
  /** the image holds the user data at /etc/cloudlet/user-data.json, for the `file` platform */
  baked: boolean;
  /** what /proc/cmdline says during `run --dry-run` */
  cmdline: string;
  /** also boot it: `run --dry-run` with the command line */
  boot: boolean;
  /** the mutations, in words, for a failure report */
  steps: string[];
  files: Readonly<Record<string, string>>;
}

const KINDS: readonly CaseKind[] = ['manifest', 'manifest', 'schema', 'user-data', 'user-data', 'cmdline', 'cmdline'];

export function makeCase(index: number, seed: number): FuzzCase {
  const rng = new Prng(seed);
  const kind = rng.pick(KINDS);
  const steps: string[] = [kind];
  const schema = rng.pick(SCHEMAS);
  const base = { index, kind, baked: false, boot: false, cmdline: 'console=ttyS0', steps, files: IMAGE_FILES };
  switch (kind) {
    case 'manifest': {
      let m: unknown = manifestWith(schema, ['file']);
      for (let n = rng.between(1, 3); n > 0; n--) m = mutateAt(rng, m, steps, rng.chance(0.5) ? ['config', 'schema'] : []);
      return { ...base, manifest: bend(rng, Buffer.from(toText(m)), false, steps, 0.3), userData: Buffer.from(JSON.stringify(USER_DATA)) };
    }
    case 'schema': {
      let s: unknown = schema;
      for (let n = rng.between(1, 2); n > 0; n--) {
        const at = rng.pick(pathsOf(s).filter((p) => isSchemaPlace(p)));
        steps.push(`schema at /${at.join('/')}`);
        s = replaceAt(s, at, hostileSubschema(rng));
      }
      const config = { ...(USER_DATA.config as Record<string, unknown>), ...(costlyConfig(rng) as Record<string, unknown>) };
      return { ...base, manifest: Buffer.from(toText(manifestWith(s as Record<string, unknown>, ['file']))), userData: Buffer.from(toText({ ...USER_DATA, config })) };
    }
    case 'user-data': {
      // Baked into the image for the file platform and booted (dry run), or given with --user-data only.
      const baked = rng.chance(0.4);
      const manifest = manifestWith(schema, ['file'], !baked);
      return { ...base, baked, boot: baked, manifest: Buffer.from(JSON.stringify(manifest)), userData: hostileUserData(rng, baked ? userDataWithoutDisks() : USER_DATA, steps, true) };
    }
    case 'cmdline': {
      const userData = hostileUserData(rng, userDataWithoutDisks(), steps, false);
      const cmdline = mutateCmdline(rng, userData);
      const platforms = rng.chance(0.7) ? ['cmdline'] : ['cmdline', 'file'];
      const manifest = manifestWith(schema, platforms, false);
      return { ...base, boot: true, baked: platforms.length > 1, cmdline, manifest: Buffer.from(JSON.stringify(manifest)), userData: Buffer.from(JSON.stringify(userDataWithoutDisks())) };
    }
  }
}

/** `from` with zero to three values replaced (none leaves a well-formed case, to reach the later steps), maybe bent as text. */
function hostileUserData(rng: Prng, from: Record<string, unknown>, steps: string[], gzipAllowed: boolean): Buffer {
  let ud: unknown = from;
  for (let n = rng.between(0, 3); n > 0; n--) ud = mutateAt(rng, ud, steps, rng.chance(0.7) ? ['config'] : []);
  return bend(rng, Buffer.from(toText(ud)), gzipAllowed, steps, 0.3);
}

/** Replaces a node at or below `under` (anywhere when it is not there) with a hostile value. */
function mutateAt(rng: Prng, value: unknown, steps: string[], under: Path): unknown {
  const all = pathsOf(value);
  const inside = all.filter((p) => under.every((k, i) => p[i] === k));
  const at = rng.pick(inside.length > 0 ? inside : all);
  steps.push(`value at /${at.join('/')}`);
  return replaceAt(value, at, hostileValue(rng, valueAt(value, at)));
}

function bend(rng: Prng, text: Buffer, gzipAllowed: boolean, steps: string[], p: number): Buffer {
  if (!rng.chance(p)) return text;
  steps.push('text bent');
  return bendText(rng, text, gzipAllowed);
}

/** Places where a subschema stands: the root and values under properties, $defs, items and combinators. */
function isSchemaPlace(path: Path): boolean {
  if (path.length === 0) return true;
  const parent = path[path.length - 2];
  const last = path[path.length - 1];
  if (typeof last === 'number') return parent === 'allOf' || parent === 'anyOf' || parent === 'oneOf' || parent === 'items';
  return parent === 'properties' || parent === '$defs' || parent === 'definitions' || last === 'items' || last === 'not' || last === 'if';
}
