// Proves the kernel command line is split as the kernel splits it, quotes included.

import { describe, expect, it } from 'vitest';
import { kernelParam, parseKernelCmdline } from './kernel-cmdline';

describe('parseKernelCmdline', () => {
  it('splits on whitespace and keeps flags without values', () => {
    expect(parseKernelCmdline('console=ttyS0  quiet\troot=/dev/vda1\n')).toEqual([
      { key: 'console', value: 'ttyS0' },
      { key: 'quiet', value: undefined },
      { key: 'root', value: '/dev/vda1' },
    ]);
  });

  it('groups a quoted value and drops its quotes', () => {
    expect(parseKernelCmdline('a="x y z" b=1')).toEqual([
      { key: 'a', value: 'x y z' },
      { key: 'b', value: '1' },
    ]);
  });

  it('drops quotes around a whole parameter', () => {
    expect(parseKernelCmdline('"cloudlet.platform=nocloud, fwcfg" x')).toEqual([
      { key: 'cloudlet.platform', value: 'nocloud, fwcfg' },
      { key: 'x', value: undefined },
    ]);
  });

  it('keeps "=" inside values (base64 padding) and stops at a lone "--"', () => {
    const params = parseKernelCmdline('cloudlet.user-data=eyJhIjoxfQ== -- cloudlet.user-data=ignored');
    expect(kernelParam(params, 'cloudlet.user-data')).toBe('eyJhIjoxfQ==');
    expect(params).toHaveLength(1);
  });

  it('lets the last occurrence win', () => {
    expect(kernelParam(parseKernelCmdline('cloudlet.platform=a cloudlet.platform=b'), 'cloudlet.platform')).toBe('b');
    expect(kernelParam(parseKernelCmdline('quiet'), 'cloudlet.platform')).toBeUndefined();
  });
});
