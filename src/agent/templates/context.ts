// Builds the frozen template context {config, env, meta, manifest} from what earlier steps learned. Pure.

import type { DatasourceResult } from '../platforms/types';
import type { NormalizedManifest } from '../../manifest/types';
import type { ValidatedUserData } from '../../manifest/user-data';
import type { Facts } from '../requirements/facts-types';
import type { SshKey } from '../platforms/ssh-keys';

/** Facts about this boot that templates see as `env`. Every key is always present (maybe undefined). */
export interface TemplateEnv {
  arch: string;
  /** kernel release as `uname -r` prints it */
  kernel: string;
  hostname: string;
  cpus: number;
  /** bytes */
  memory: number;
  /** the platform the user data came from, or "none" */
  platform: string;
  instanceId: string | undefined;
  region: string | undefined;
  localIpv4: string | undefined;
  firstBoot: boolean | undefined;
  /** the platform's SSH public keys, checked; [] when it gave none */
  sshKeys: ReadonlyArray<Omit<SshKey, 'user'> & { user: string | undefined }>;
}

export interface TemplateContext {
  config: Readonly<Record<string, unknown>>;
  env: Readonly<TemplateEnv>;
  meta: Readonly<Record<string, unknown>>;
  manifest: Readonly<NormalizedManifest>;
}

export interface ContextInput {
  manifest: NormalizedManifest;
  facts: Facts;
  userData?: ValidatedUserData;
  source?: DatasourceResult;
  firstBoot?: boolean;
  sshKeys?: readonly SshKey[];
}

export function buildContext(input: ContextInput): TemplateContext {
  const { manifest, facts, userData, source } = input;
  const config = structuredClone(userData?.config ?? {});
  declareSchemaKeys(config, manifest.config?.schema);
  const env: TemplateEnv = {
    arch: facts.arch,
    kernel: facts.kernelRelease,
    hostname: userData?.hostname ?? source?.hostname ?? facts.hostname,
    cpus: facts.cpus,
    memory: facts.memoryBytes,
    platform: source?.platform ?? 'none',
    instanceId: source?.instanceId,
    region: source?.region,
    localIpv4: source?.localIpv4,
    firstBoot: input.firstBoot,
    // `user` is always a key, so `k.user ?? 'root'` reads under strict access whether the platform named one or not.
    sshKeys: (input.sshKeys ?? []).map((k) => ({ type: k.type, key: k.key, comment: k.comment, user: k.user, line: k.line })),
  };
  return deepFreeze({
    config,
    env,
    meta: structuredClone(source?.meta ?? {}),
    manifest: structuredClone(manifest),
  });
}

/**
 * Gives every property the config schema declares a key, undefined when the user left it out and it
 * has no default. Strict access then tells a typo (`config.prot`) from an optional value that is simply
 * absent, so `config.port ?? 8080` works for declared keys.
 */
function declareSchemaKeys(value: Record<string, unknown>, schema: unknown): void {
  const properties = isObject(schema) && isObject(schema.properties) ? schema.properties : undefined;
  if (!properties) return;
  for (const [key, sub] of Object.entries(properties)) {
    if (!Object.hasOwn(value, key)) {
      Object.defineProperty(value, key, { value: undefined, enumerable: true, writable: true, configurable: true });
      continue;
    }
    const child = value[key];
    if (isObject(child) && !Array.isArray(child)) declareSchemaKeys(child, sub);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return value;
}
