// Every platform the agent can read user data from, keyed by the names a manifest may list: the two cannot differ.

import { KNOWN_PLATFORMS, type PlatformName } from '../../manifest/platform-names';
import { azureDatasource } from './azure';
import { cmdlineDatasource } from './cmdline';
import { configdriveDatasource } from './configdrive';
import { ec2Datasource } from './ec2';
import { fileDatasource } from './file';
import { fwcfgDatasource } from './fwcfg';
import { gceDatasource } from './gce';
import { nocloudDatasource } from './nocloud';
import { openstackDatasource } from './openstack';
import { smbiosDatasource } from './smbios';
import type { Datasource } from './types';
import { xenDatasource } from './xen';

/**
 * One entry for each name in KNOWN_PLATFORMS, under that name: a name without a platform, a platform
 * the manifest cannot name, or one filed under another's name is a type error, not a test failure.
 */
const BY_NAME: { readonly [N in PlatformName]: Datasource<N> } = {
  cmdline: cmdlineDatasource,
  nocloud: nocloudDatasource,
  configdrive: configdriveDatasource,
  fwcfg: fwcfgDatasource,
  smbios: smbiosDatasource,
  xen: xenDatasource,
  file: fileDatasource,
  ec2: ec2Datasource,
  openstack: openstackDatasource,
  gce: gceDatasource,
  azure: azureDatasource,
};

export const DATASOURCES: readonly Datasource[] = KNOWN_PLATFORMS.map((name) => BY_NAME[name]);
