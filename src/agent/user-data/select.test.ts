// Proves the order platforms are asked in and how cloudlet.platform= narrows the manifest's list.

import { describe, expect, it } from 'vitest';
import { parseKernelCmdline } from '../../readers/kernel-cmdline';
import { DATASOURCES } from '../platforms/registry';
import { selectPlatforms } from './select';

const names = (listed: string[], cmdline = '') => selectPlatforms(listed, parseKernelCmdline(cmdline), DATASOURCES).sources.map((d) => d.name);

describe('selectPlatforms', () => {
  it('asks local channels first, then network services, then the baked file, keeping the manifest order within each', () => {
    expect(names(['file', 'ec2', 'nocloud', 'gce', 'fwcfg', 'cmdline'])).toEqual(['nocloud', 'fwcfg', 'cmdline', 'ec2', 'gce', 'file']);
  });

  it('narrows to the platforms named by cloudlet.platform=', () => {
    expect(names(['cmdline', 'nocloud', 'ec2'], 'quiet cloudlet.platform=ec2')).toEqual(['ec2']);
    expect(names(['cmdline', 'nocloud', 'ec2'], 'cloudlet.platform=ec2,cmdline')).toEqual(['cmdline', 'ec2']);
    expect(names(['cmdline', 'nocloud'], 'cloudlet.platform=none')).toEqual([]);
  });

  it('refuses to probe a platform the manifest does not list, even when the kernel names it', () => {
    expect(() => names(['nocloud'], 'cloudlet.platform=ec2')).toThrow(/does not list/);
  });

  it('refuses unknown platform names in the manifest', () => {
    expect(() => names(['nocloud', 'digitalocean'])).toThrow(expect.objectContaining({ code: 'E_MANIFEST_INVALID' }));
  });

  it('names the nearest platform to a misspelt one, in the manifest and in cloudlet.platform=', () => {
    expect(() => names(['nocloud', 'fw_cfg'])).toThrow(/does not know; did you mean "fwcfg"\?$/);
    expect(() => names(['nocloud', 'fwcfg'], 'cloudlet.platform=fw_cfg')).toThrow(/does not list; did you mean "fwcfg"\?$/);
  });
});
