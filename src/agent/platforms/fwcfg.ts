// Platform "fwcfg": QEMU's fw_cfg item opt/cloudlet/user-data, read through the qemu_fw_cfg sysfs driver.

import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { readCapped } from '../../manifest/user-data-file';
import { findTool } from '../../system/tools';
import { remainingMs } from './deadline';
import type { Datasource, DatasourceContext, DatasourceResult } from './types';

export const FWCFG_ITEM = 'opt/cloudlet/user-data';

export const fwcfgDatasource: Datasource<'fwcfg'> = {
  name: 'fwcfg',
  kind: 'local',
  async fetch(ctx: DatasourceContext): Promise<DatasourceResult | null> {
    const base = join(ctx.system.hostPaths.sys, 'firmware', 'qemu_fw_cfg');
    if (!(await exists(base))) {
      // The driver is a module on most distribution kernels; without it the items are invisible.
      const modprobe = await findTool(ctx.system, 'modprobe');
      if (!modprobe) return null;
      await ctx.system.exec(modprobe, ['-q', 'qemu_fw_cfg'], { timeoutMs: remainingMs(ctx.system, ctx.deadline) });
      if (!(await exists(base))) return null;
    }
    const userData = await readCapped(join(base, 'by_name', ...FWCFG_ITEM.split('/'), 'raw'));
    if (userData === null) return null;
    return { platform: 'fwcfg', userData, meta: { item: FWCFG_ITEM } };
  },
};

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
