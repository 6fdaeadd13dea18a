// Mutations of a kernel command line around cloudlet.user-data=: encodings, quoting, repetition, stray bytes, length.

import { gzipSync } from 'node:zlib';
import { kernelParam, parseKernelCmdline } from '../../src/readers/kernel-cmdline';
import type { Prng } from './prng';

/** The only URLs a fuzzed command line may name: nothing listens on port 1, and the rest are not http. */
const SAFE_URLS = ['http://127.0.0.1:1/user-data', 'http://127.0.0.1:1/%zz', 'ftp://127.0.0.1/ud', 'http://[::1', 'http://127.0.0.1:99999/', 'not a url', ''];

function base64(rng: Prng, bytes: Buffer): string {
  const b = bytes.toString(rng.chance(0.3) ? 'base64url' : 'base64');
  return rng.chance(0.3) ? b.replace(/=+$/, '') : b;
}

/** A command line carrying `userData` (already mutated bytes), bent in one to three ways. */
export function mutateCmdline(rng: Prng, userData: Buffer): string {
  let value = base64(rng, rng.chance(0.1) ? gzipSync(userData) : userData);
  const params = ['BOOT_IMAGE=/boot/vmlinuz', 'root=/dev/vda1', 'ro', 'console=ttyS0'];
  for (let n = rng.between(1, 3); n > 0; n--) {
    switch (rng.int(12)) {
      case 0: value = value.slice(0, rng.int(value.length + 1)); break;
      case 1: value = `${value.slice(0, rng.int(value.length + 1))}${rng.pick(['!', '*', '=', '==', '===', ' ', '"', '\t', '\u00e9', '\u0000'])}${value.slice(rng.int(value.length + 1))}`; break;
      case 2: value = `"${value}${rng.chance(0.5) ? '"' : ''}`; break;
      case 3: params.push(`cloudlet.user-data=${base64(rng, rng.bytes(rng.between(0, 64)))}`); break;
      case 4: params.push('--'); break;
      case 5: params.push(`cloudlet.platform=${rng.pick(['cmdline', 'file', 'ec2', 'nocloud', '', 'CMDLINE', 'cmdline,file', '"cmdline"'])}`); break;
      case 6: params.push(`cloudlet.user-data-url=${rng.pick(SAFE_URLS)}`); break;
      case 7: params.push(rng.pick(['cloudlet.user-data', 'cloudlet.user-data=', '"cloudlet.user-data=e30="', 'cloudlet.user-data==e30=', '=', '"', '""'])); break;
      case 8: params.push('x'.repeat(rng.pick([100, 70_000]))); break;
      case 9: params.push(rng.bytes(rng.between(1, 32)).toString('latin1')); break;
      case 10: params.push(`cloudlet.user-data=${value}`); break;
      default: params.splice(rng.int(params.length + 1), 0, rng.pick(['quiet', 'init=/sbin/init', 'cloudlet.x=1', '\ud83d\ude00=1']));
    }
  }
  params.splice(rng.int(params.length + 1), 0, `cloudlet.user-data=${value}`);
  const line = params.join(rng.chance(0.8) ? ' ' : rng.pick(['  ', '\t', '\n']));
  if (safe(line)) return line;
  const without = params.filter((p) => !p.includes('user-data-url')).join(' ');
  return safe(without) ? without : `console=ttyS0 cloudlet.user-data=${base64(rng, userData)}`;
}

/** Whether the agent would fetch nothing beyond this machine: any http URL it would use names 127.0.0.1. */
export function safe(line: string): boolean {
  const url = kernelParam(parseKernelCmdline(line), 'cloudlet.user-data-url');
  if (url === undefined || !/^http:\/\//.test(url)) return true;
  try {
    return new URL(url).hostname === '127.0.0.1';
  } catch {
    return true;
  }
}
