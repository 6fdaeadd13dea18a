// The `xl` domain configuration of the xen target, as text: HVM booting the disk's own loader, or PVH with a kernel.

export interface XlInput {
  name: string;
  description: string;
  /** this config's own file name, for the comment that says how to start it */
  configFile: string;
  /** the disk's file name, and the directory it will live in on the Xen host when known */
  diskFile: string;
  diskDir: string | null;
  diskFormat: 'raw' | 'qcow2';
  type: 'hvm' | 'pvh';
  firmware: 'seabios' | 'ovmf';
  memoryMiB: number;
  cpus: number;
  bridge: string;
  /** PVH only */
  kernel: string | null;
  ramdisk: string | null;
  cmdline: string | null;
}

/**
 * The PVH command line: the given one, or the boot loader's with the console moved to hvc0 (a PVH
 * domain has no emulated serial port).
 */
export function pvhCmdline(explicit: string | null, bootLoader: string | undefined): string | null {
  if (explicit !== null) return explicit;
  if (bootLoader === undefined) return null;
  const kept = bootLoader.split(/\s+/).filter((w) => w !== '' && !w.startsWith('console='));
  return [...kept, 'console=hvc0'].join(' ');
}

export function renderXlConfig(x: XlInput): string {
  const target = x.diskDir === null ? x.diskFile : `${x.diskDir.replace(/\/+$/, '')}/${x.diskFile}`;
  const lines = [
    `# xl domain configuration for ${x.description}`,
    `# Start it with \`xl create ${x.configFile}\`${x.diskDir === null ? ` from the directory that holds ${x.diskFile}` : ''}.`,
    `name = "${x.name}"`,
    `type = "${x.type}"`,
  ];
  if (x.type === 'hvm') {
    lines.push(`bios = "${x.firmware}"`, 'serial = "pty"');
  } else {
    lines.push(`kernel = "${x.kernel ?? ''}"`);
    if (x.ramdisk !== null) lines.push(`ramdisk = "${x.ramdisk}"`);
    lines.push(`cmdline = "${x.cmdline ?? ''}"`);
  }
  lines.push(
    `memory = ${x.memoryMiB}`,
    `vcpus = ${x.cpus}`,
    // target= goes last: xl reads everything after it as the path, commas included.
    `disk = [ "format=${x.diskFormat}, vdev=xvda, access=rw, target=${target}" ]`,
    `vif = [ "bridge=${x.bridge}" ]`,
    'on_poweroff = "destroy"',
    'on_reboot = "restart"',
    'on_crash = "destroy"',
    '',
  );
  return lines.join('\n');
}

/** The disk path a config names, read back from its `disk =` line. */
export function xlDiskTarget(text: string): string | undefined {
  return /^disk = \[ ".*\btarget=([^"]+)" \]$/m.exec(text)?.[1];
}
