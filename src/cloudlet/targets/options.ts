// The targets' options as data (key, targets, kind, allowed values, default, help) and the parser of `key=value` settings.

import { AgentError, type Problem } from '../../errors';
import { closest } from '../../manifest/problems';
import { XL_SAFE_CMDLINE } from './context';
import type { Recipe } from './recipes';

// Text options end up in xl configs, shell scripts and JSON: their patterns keep out quotes,
// backslashes and control characters, so no quoting is needed anywhere they go.
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._+/-]{0,1023}$/;

export const OPTION_SPECS = [
  { key: 'qcow2.compress', targets: ['qcow2'], kind: 'bool', default: false, help: 'compressed clusters (qemu-img convert -c): smaller file, slower to write' },
  { key: 'vm.memory', targets: ['ova', 'xen'], kind: 'int', min: 64, max: 4_194_304, default: 1024, help: 'memory in MiB the OVF descriptor and the xl config declare' },
  { key: 'vm.cpus', targets: ['ova', 'xen'], kind: 'int', min: 1, max: 256, default: 1, help: 'virtual CPUs the OVF descriptor and the xl config declare' },
  { key: 'ova.ovf-version', targets: ['ova'], kind: 'enum', values: ['1.0', '2.0'], default: '1.0', help: 'OVF envelope version' },
  { key: 'ova.manifest', targets: ['ova'], kind: 'bool', default: true, help: 'ship a .mf manifest with the SHA256 of the descriptor and the disk' },
  {
    key: 'ova.controller',
    targets: ['ova'],
    kind: 'enum',
    values: ['nvme', 'pvscsi'],
    default: 'nvme',
    help: 'disk controller the OVF declares: nvme (hardware vmx-13, driver built into most kernels) or pvscsi (VMware paravirtual SCSI, vmw_pvscsi must be in the initrd)',
  },
  { key: 'ova.firmware', targets: ['ova'], kind: 'enum', values: ['bios', 'efi'], default: 'bios', help: 'firmware the OVF asks for (the disk boots with both)' },
  { key: 'ami.disk', targets: ['ami'], kind: 'enum', values: ['vmdk', 'raw'], default: 'vmdk', help: 'format of the disk to upload' },
  {
    key: 'ami.boot-mode',
    targets: ['ami'],
    kind: 'enum',
    values: ['uefi-preferred', 'uefi', 'legacy-bios'],
    default: 'uefi-preferred',
    help: 'register-image --boot-mode (the disk boots with both firmwares)',
  },
  { key: 'ami.bucket', targets: ['ami'], kind: 'text', pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, what: 'an S3 bucket name', default: null, help: 'S3 bucket the disk is uploaded to' },
  { key: 'ami.key-prefix', targets: ['ami'], kind: 'text', pattern: /^[A-Za-z0-9!_.*()/-]{0,256}$/, what: 'an S3 key prefix', default: '', help: 'prefix of the S3 key, e.g. images/' },
  { key: 'ami.root-device', targets: ['ami'], kind: 'enum', values: ['/dev/xvda', '/dev/sda1'], default: '/dev/xvda', help: 'register-image --root-device-name' },
  { key: 'ami.ena', targets: ['ami'], kind: 'bool', default: true, help: 'register-image --ena-support (the kernel must have the ena driver)' },
  { key: 'xen.disk', targets: ['xen'], kind: 'enum', values: ['raw', 'qcow2'], default: 'raw', help: 'format of the domain disk' },
  { key: 'xen.type', targets: ['xen'], kind: 'enum', values: ['hvm', 'pvh'], default: 'hvm', help: 'hvm boots the disk\'s own boot loader; pvh boots xen.kernel directly' },
  { key: 'xen.firmware', targets: ['xen'], kind: 'enum', values: ['seabios', 'ovmf'], default: 'seabios', help: 'HVM firmware (the disk boots with both)' },
  { key: 'xen.kernel', targets: ['xen'], kind: 'text', pattern: ABSOLUTE_PATH, what: 'an absolute path', default: null, help: 'PVH: the kernel, a path on the Xen host' },
  { key: 'xen.ramdisk', targets: ['xen'], kind: 'text', pattern: ABSOLUTE_PATH, what: 'an absolute path', default: null, help: 'PVH: the initrd, a path on the Xen host' },
  {
    key: 'xen.cmdline',
    targets: ['xen'],
    kind: 'text',
    pattern: XL_SAFE_CMDLINE,
    what: 'printable ASCII without " or \\',
    default: null,
    help: 'PVH: the kernel command line (default: the one the disk\'s boot loaders use, console=hvc0)',
  },
  { key: 'xen.bridge', targets: ['xen'], kind: 'text', pattern: /^[A-Za-z0-9_.-]{1,15}$/, what: 'a network interface name', default: 'xenbr0', help: 'bridge of the domain\'s network interface' },
  {
    key: 'xen.disk-dir',
    targets: ['xen'],
    kind: 'text',
    pattern: ABSOLUTE_PATH,
    what: 'an absolute path',
    default: null,
    help: 'directory of the disk on the Xen host (default: the file name alone, found from where xl runs)',
  },
] as const;

type Spec = (typeof OPTION_SPECS)[number];
type ValueOf<S> = S extends { kind: 'bool' }
  ? boolean
  : S extends { kind: 'int' }
    ? number
    : S extends { kind: 'enum'; values: readonly (infer V)[] }
      ? V
      : S extends { default: null }
        ? string | null
        : string;

export type OptionKey = Spec['key'];
export type TargetOptions = { readonly [S in Spec as S['key']]: ValueOf<S> };

export function defaultTargetOptions(): TargetOptions {
  return Object.fromEntries(OPTION_SPECS.map((s) => [s.key, s.default])) as unknown as TargetOptions;
}

const TRUE = ['true', 'yes', 'on', '1'];
const FALSE = ['false', 'no', 'off', '0'];

function parseValue(spec: Spec, text: string): { value: boolean | number | string } | { problem: string } {
  switch (spec.kind) {
    case 'bool':
      if (TRUE.includes(text)) return { value: true };
      if (FALSE.includes(text)) return { value: false };
      return { problem: 'must be true or false' };
    case 'int': {
      const n = /^[0-9]{1,10}$/.test(text) ? Number(text) : NaN;
      return Number.isInteger(n) && n >= spec.min && n <= spec.max ? { value: n } : { problem: `must be a whole number from ${spec.min} to ${spec.max}` };
    }
    case 'enum':
      return (spec.values as readonly string[]).includes(text) ? { value: text } : { problem: `must be one of ${spec.values.join(', ')}` };
    case 'text':
      return spec.pattern.test(text) ? { value: text } : { problem: `must be ${spec.what}` };
  }
}

/**
 * Options from `key=value` settings (later ones win), every unknown key and bad value reported at once
 * as E_BAKE_TARGET with a did-you-mean for keys.
 */
export function parseTargetOptions(settings: readonly string[]): TargetOptions {
  const values: Record<string, unknown> = { ...defaultTargetOptions() };
  const problems: Problem[] = [];
  const keys = OPTION_SPECS.map((s) => s.key as string);
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    const key = eq < 0 ? setting : setting.slice(0, eq);
    const spec = OPTION_SPECS.find((s) => s.key === key);
    if (!spec) {
      const guess = closest(key, keys);
      problems.push({ path: key, message: `unknown target option${guess ? `; did you mean "${guess}"?` : ''}` });
      continue;
    }
    if (eq < 0) {
      problems.push({ path: key, message: 'needs a value: key=value' });
      continue;
    }
    const parsed = parseValue(spec, setting.slice(eq + 1));
    if ('problem' in parsed) problems.push({ path: key, message: parsed.problem });
    else values[key] = parsed.value;
  }
  if (problems.length > 0) {
    throw new AgentError('E_BAKE_TARGET', `${problems.length} target option${problems.length > 1 ? 's are' : ' is'} not valid`, {
      problems,
      fix: `target options: ${keys.join(', ')} (see docs/bake.md, section Targets)`,
    });
  }
  return values as unknown as TargetOptions;
}

/** The options that shape one target's output: part of its stage key, so changing another target's option reuses this one. */
export function optionsFor(recipe: Recipe, options: TargetOptions): Record<string, unknown> {
  return Object.fromEntries(OPTION_SPECS.filter((s) => (s.targets as readonly string[]).includes(recipe.name)).map((s) => [s.key, options[s.key]]));
}
