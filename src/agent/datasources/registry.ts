// Every platform the agent can read user data from; the manifest's `platforms` picks from these by name.

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

export const DATASOURCES: readonly Datasource[] = [
  cmdlineDatasource,
  nocloudDatasource,
  configdriveDatasource,
  fwcfgDatasource,
  smbiosDatasource,
  xenDatasource,
  fileDatasource,
  ec2Datasource,
  openstackDatasource,
  gceDatasource,
  azureDatasource,
];
