// Parses an SMBIOS type 11 (OEM strings) structure and picks systemd-style credentials out of it.

import { AgentError } from '../../errors';
import { decodeBase64 } from '../../readers/base64';

/**
 * The strings of one SMBIOS structure as the kernel exposes it in dmi/entries/<type>-<n>/raw: a header
 * (type, length, handle), the formatted area up to `length`, then NUL-terminated strings ending in "\0\0".
 */
export function smbiosStrings(raw: Buffer): string[] {
  if (raw.length < 4) throw malformed('shorter than its header');
  const length = raw[1] as number;
  if (length < 4 || length > raw.length) throw malformed(`formatted length ${length} does not fit`);
  const strings: string[] = [];
  let pos = length;
  while (pos < raw.length) {
    const end = raw.indexOf(0, pos);
    if (end < 0) throw malformed('a string is not terminated');
    if (end === pos) break;
    strings.push(raw.toString('utf8', pos, end));
    pos = end + 1;
  }
  return strings;
}

/**
 * The credential `name` among OEM strings: "io.systemd.credential:NAME=text" or
 * "io.systemd.credential.binary:NAME=base64". Null when none; the last one wins, as in systemd.
 */
export function credentialFrom(strings: readonly string[], name: string): Buffer | null {
  let found: Buffer | null = null;
  for (const s of strings) {
    const text = `io.systemd.credential:${name}=`;
    const binary = `io.systemd.credential.binary:${name}=`;
    if (s.startsWith(text)) found = Buffer.from(s.slice(text.length), 'utf8');
    else if (s.startsWith(binary)) {
      found = decodeBase64(s.slice(binary.length));
      if (found === null) {
        throw new AgentError('E_USERDATA_INVALID', `smbios: io.systemd.credential.binary:${name} is not base64`, {
          where: 'SMBIOS type 11 OEM strings',
          fix: `pass -smbios type=11,value=io.systemd.credential.binary:${name}=$(base64 -w0 ud.json)`,
        });
      }
    }
  }
  return found;
}

function malformed(why: string): AgentError {
  return new AgentError('E_PLATFORM', `smbios: a type 11 structure is malformed (${why})`, {
    where: 'SMBIOS type 11',
    fix: 'check the OEM strings given to the machine (qemu -smbios type=11,value=...)',
  });
}
