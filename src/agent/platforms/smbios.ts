// Platform "smbios": user data as a systemd credential in SMBIOS type 11 OEM strings (qemu -smbios type=11).

import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readCapped } from '../../manifest/user-data-file';
import { MAX_USER_DATA_BYTES } from '../../manifest/user-data-bytes';
import { credentialFrom, smbiosStrings } from './smbios-parse';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const SMBIOS_CREDENTIAL = 'cloudlet.user-data';

export const smbiosDatasource: Datasource<'smbios'> = {
  name: 'smbios',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const entries = join(ctx.system.hostPaths.sys, 'firmware', 'dmi', 'entries');
    let names: string[];
    try {
      names = (await readdir(entries)).filter((n) => /^11-\d+$/.test(n));
    } catch {
      return null;
    }
    const strings: string[] = [];
    for (const name of names.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))) {
      const raw = await readCapped(join(entries, name, 'raw'), MAX_USER_DATA_BYTES + 4096);
      if (raw) strings.push(...smbiosStrings(raw));
    }
    const userData = credentialFrom(strings, SMBIOS_CREDENTIAL);
    if (userData === null) return null;
    return { platform: 'smbios', userData, meta: { credential: SMBIOS_CREDENTIAL } };
  },
};
