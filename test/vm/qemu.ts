// Boots a kernel under QEMU (TCG only, always under a hard timeout) and hands back the serial console.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VM_CACHE } from './paths';

export interface Drive {
  file: string;
  /** QEMU's block driver: a fixed VHD is "vpc" (it has only a footer, so QEMU would probe it as raw) */
  format?: 'raw' | 'qcow2' | 'vmdk' | 'vpc' | 'vhdx';
  readonly?: boolean;
  /** writes go to a temporary overlay; the file is never changed */
  snapshot?: boolean;
  /** virtio (the default: /dev/vda, /dev/vdb, ...) or NVMe (/dev/nvme0n1, ...; the cloud kernel has it built in) */
  bus?: 'virtio' | 'nvme';
}

export interface VmOptions {
  /** names the console log: .cache/vm/logs/<name>.log */
  name: string;
  /** direct kernel boot; without it the firmware boots the first drive through the disk's own boot loader */
  kernel?: string;
  initrd?: string;
  append?: string;
  /** SeaBIOS (QEMU's default) or OVMF (UEFI, with a fresh copy of its variable store) */
  firmware?: 'seabios' | 'ovmf';
  /** disks in order: virtio ones are /dev/vda, /dev/vdb, ...; NVMe ones /dev/nvme0n1, /dev/nvme1n1, ... */
  drives?: Drive[];
  fwCfg?: Array<{ name: string; file: string }>;
  /** SMBIOS type 11 strings, e.g. io.systemd.credential:cloudlet.user-data=... */
  smbios11?: string[];
  /** user-mode network on 169.254.0.0/16 with 169.254.169.254:80 forwarded to 127.0.0.1:<port> */
  metadataPort?: number;
  memoryMb?: number;
  /** the guest is killed after this, whatever it is doing */
  timeoutMs: number;
  /** kill the guest as soon as the console matches (for guests that halt instead of powering off) */
  stopWhen?: RegExp;
  /** extra time the guest gets after stopWhen matched, to flush the console (default 1500 ms) */
  stopGraceMs?: number;
  /**
   * Typed on the serial console once the console matches `when` (an operator at a rescue shell); a list
   * is typed step by step, each `when` looked for in what the console printed after the step before.
   */
  type?: ConsoleInput | ConsoleInput[];
}

export interface ConsoleInput {
  when: RegExp;
  text: string;
  /** wait this long after the match first (a prompt that flushes its input before it reads) */
  delayMs?: number;
}

export interface VmResult {
  console: string;
  logFile: string;
  /** QEMU's exit code (0 after a guest poweroff), null when killed */
  code: number | null;
  timedOut: boolean;
  stoppedOnMatch: boolean;
  durationMs: number;
  /** ms from QEMU's start to the console matching stopWhen, when it did */
  stopMatchedMs?: number;
}

/** Debian's ovmf package: the firmware, read-only, and the template of its variable store. */
export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';

const live = new Set<number>();
process.on('exit', () => {
  for (const pid of live) killGroup(pid);
});

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Fails with a clear message when QEMU is not installed (tests never skip). */
export function requireQemu(): void {
  const r = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new Error('qemu-system-x86_64 is missing: apt-get install -y --no-install-recommends $(cat test/vm/apt-packages.txt)');
  }
}

/**
 * TCG unless CLOUDLET_VM_ACCEL=kvm says the machine's KVM works: /dev/kvm can exist without working
 * (no nested virtualization: guests crawl, then die), so it is never inferred from the device.
 */
export function accelerator(env: Readonly<Record<string, string | undefined>> = process.env): 'tcg' | 'kvm' {
  const asked = env.CLOUDLET_VM_ACCEL;
  if (asked === undefined || asked === '' || asked === 'tcg') return 'tcg';
  if (asked === 'kvm') return 'kvm';
  throw new Error(`CLOUDLET_VM_ACCEL is "${asked}": use tcg (the default) or kvm`);
}

export function qemuArgs(o: VmOptions): string[] {
  const accel = accelerator();
  const args = ['-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max', '-m', String(o.memoryMb ?? 1024), '-smp', '1'];
  args.push('-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-nodefaults');
  if (o.firmware === 'ovmf') {
    const vars = join(VM_CACHE, 'logs', `${o.name}-OVMF_VARS.fd`);
    mkdirSync(join(VM_CACHE, 'logs'), { recursive: true });
    copyFileSync(OVMF_VARS, vars);
    args.push('-drive', `if=pflash,format=raw,unit=0,file=${OVMF_CODE},readonly=on`, '-drive', `if=pflash,format=raw,unit=1,file=${vars}`);
  }
  if (o.kernel) args.push('-kernel', o.kernel, '-append', o.append ?? '');
  if (o.initrd) args.push('-initrd', o.initrd);
  for (const [i, d] of (o.drives ?? []).entries()) {
    const opts = [`file=${d.file}`, d.bus === 'nvme' ? `if=none,id=disk${i}` : 'if=virtio', `format=${d.format ?? 'raw'}`];
    if (d.readonly) opts.push('readonly=on');
    if (d.snapshot) opts.push('snapshot=on');
    args.push('-drive', opts.join(','));
    if (d.bus === 'nvme') args.push('-device', `nvme,drive=disk${i},serial=cloudlet${i}`);
  }
  for (const f of o.fwCfg ?? []) args.push('-fw_cfg', `name=${f.name},file=${f.file}`);
  for (const s of o.smbios11 ?? []) args.push('-smbios', `type=11,value=${s.replace(/,/g, ',,')}`);
  if (o.metadataPort !== undefined) {
    args.push(
      '-netdev',
      `user,id=n0,net=169.254.0.0/16,host=169.254.0.2,guestfwd=tcp:169.254.169.254:80-cmd:busybox nc 127.0.0.1 ${o.metadataPort}`,
      '-device', 'virtio-net-pci,netdev=n0',
    );
  } else {
    args.push('-nic', 'none');
  }
  return args;
}

/** Boots the guest and resolves when it powers off, matches stopWhen, or times out. Never rejects on guest failure. */
export function bootVm(o: VmOptions): Promise<VmResult> {
  const logDir = join(VM_CACHE, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${o.name}.log`);
  const log = createWriteStream(logFile);
  const started = Date.now();
  const secs = Math.ceil(o.timeoutMs / 1000);
  // `timeout` as a second line of defence should this process die without killing the group.
  const child = spawn('timeout', ['--kill-after=5', String(secs + 5), 'qemu-system-x86_64', ...qemuArgs(o)], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid as number;
  live.add(pid);
  child.stdin.on('error', () => undefined);
  let text = '';
  let timedOut = false;
  let stoppedOnMatch = false;
  let stopTimer: NodeJS.Timeout | undefined;
  let stopMatchedMs: number | undefined;
  const inputs = o.type === undefined ? [] : Array.isArray(o.type) ? [...o.type] : [o.type];
  let typedAt = 0;
  const onData = (chunk: Buffer): void => {
    const s = chunk.toString('utf8');
    text += s;
    log.write(chunk);
    const next = inputs[0];
    if (next && next.when.test(text.slice(typedAt))) {
      inputs.shift();
      typedAt = text.length;
      setTimeout(() => child.stdin.write(next.text), next.delayMs ?? 0);
    }
    if (o.stopWhen && !stopTimer && o.stopWhen.test(text)) {
      stoppedOnMatch = true;
      stopMatchedMs = Date.now() - started;
      stopTimer = setTimeout(() => killGroup(pid), o.stopGraceMs ?? 1500);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const hard = setTimeout(() => {
    timedOut = true;
    killGroup(pid);
  }, o.timeoutMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(hard);
      if (stopTimer) clearTimeout(stopTimer);
      live.delete(pid);
      killGroup(pid);
      log.end();
      resolve({
        console: text.replace(/\r\n/g, '\n'),
        logFile,
        code: timedOut || stoppedOnMatch ? null : code,
        timedOut: timedOut && !stoppedOnMatch,
        stoppedOnMatch,
        durationMs: Date.now() - started,
        ...(stopMatchedMs === undefined ? {} : { stopMatchedMs }),
      });
    });
  });
}

/** Lines of the console that start with `<tag> ` (markers printed by the guest's test scripts), tag removed. */
export function markers(consoleText: string, tag: string): string[] {
  const out: string[] = [];
  for (const line of consoleText.split('\n')) {
    const at = line.indexOf(`${tag} `);
    if (at >= 0) out.push(line.slice(at + tag.length + 1).trimEnd());
  }
  return out;
}

/** The text the guest printed between `<tag>-BEGIN` and `<tag>-END` lines. */
export function block(consoleText: string, tag: string): string | undefined {
  const m = new RegExp(`${tag}-BEGIN\\n([\\s\\S]*?)\\n[^\\n]*?${tag}-END`).exec(consoleText);
  return m?.[1];
}
