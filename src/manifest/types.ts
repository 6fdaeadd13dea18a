// Types of the manifest (format 0.0.4, schema v1) as written by image authors, and its normalized form.

export type EntrypointName = 'kernel' | 'init' | 'chroot';
export type OnError = 'halt' | 'continue' | 'shell';

export interface Requirements {
  arch?: string | string[];
  os?: string;
  /** semver range matched against the running kernel release */
  kernel?: string;
  commands?: string[];
  files?: string[];
  /** minimum memory, e.g. "512M" */
  memory?: string;
  cpus?: number;
  cpuFlags?: string[];
  hypervisor?: string | string[];
}

export interface TemplateSpec {
  path: string;
  /** octal string, e.g. "0640" */
  mode?: string;
  /** "user:group", names or numbers resolved inside the image */
  owner?: string;
  /** rendered only on the first boot of an instance; later boots leave the file as it is */
  once?: boolean;
}

export interface PersistentSpec {
  path: string;
}

export interface VolatileSpec {
  path: string;
  /** tmpfs size, e.g. "64M" or "10%" */
  size?: string;
  /** octal string, e.g. "1777" */
  mode?: string;
}

export interface StorageSpec {
  /** LABEL=..., UUID=... or /dev/... */
  device: string;
  fstype?: string;
  /** "never" (default) or "if-blank": only a device without any filesystem signature or data */
  format?: 'never' | 'if-blank';
  options?: string;
}

export interface KernelEntrypoint {
  path: string;
  initrd?: string;
  cmdline?: string;
  requires?: Requirements;
}

export interface InitEntrypoint {
  path?: string;
  args?: string[];
  requires?: Requirements;
}

export interface ChrootEntrypoint {
  command: string[];
  env?: Record<string, string>;
  workdir?: string;
  requires?: Requirements;
}

export interface DatasourceSettings {
  /** seconds per platform (default 5) */
  timeout?: number;
  /** seconds for all platforms together (default 20) */
  total?: number;
  /** allow EC2 IMDSv1 when IMDSv2 is refused (default false) */
  imdsv1?: boolean;
  /** base URLs of metadata services by platform name (tests and private clouds) */
  endpoints?: Record<string, string>;
}

export interface Manifest {
  cloudlet: '0.0.4';
  name: string;
  version?: string;
  description?: string;
  platforms?: string[];
  datasources?: DatasourceSettings;
  config?: { schema?: Record<string, unknown> };
  templates?: Array<string | TemplateSpec>;
  persistent?: Array<string | PersistentSpec>;
  volatile?: Array<string | VolatileSpec>;
  storage?: StorageSpec;
  onError?: OnError;
  entrypoints: {
    kernel?: KernelEntrypoint;
    init?: InitEntrypoint;
    chroot?: ChrootEntrypoint;
  };
}

/** The manifest after validation: short forms expanded, paths normalized, defaults applied. */
export interface NormalizedManifest extends Omit<Manifest, 'templates' | 'persistent' | 'volatile' | 'platforms'> {
  platforms: string[];
  templates: TemplateSpec[];
  persistent: PersistentSpec[];
  volatile: VolatileSpec[];
  /** sha256 of the manifest file's bytes */
  hash: string;
}
