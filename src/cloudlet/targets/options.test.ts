// Target options: defaults, parsing, every problem at once, what each target's cache key sees.

import { describe, expect, it } from 'vitest';
import { defaultTargetOptions, OPTION_SPECS, optionsFor, parseTargetOptions } from './options';
import { recipe } from './test-fixtures';
import { agentErrorOf as failure } from '../../test-support';

describe('parseTargetOptions', () => {
  it('starts from every default', () => {
    const o = parseTargetOptions([]);
    for (const s of OPTION_SPECS) expect(o[s.key], s.key).toBe(s.default);
    expect(o).toEqual(defaultTargetOptions());
  });

  it('reads booleans, numbers, choices and text; later settings win', () => {
    const o = parseTargetOptions(['qcow2.compress=yes', 'vm.memory=512', 'vm.memory=2048', 'xen.type=pvh', 'xen.kernel=/boot/vmlinuz-6.1', 'ami.bucket=my.images']);
    expect(o['qcow2.compress']).toBe(true);
    expect(o['vm.memory']).toBe(2048);
    expect(o['xen.type']).toBe('pvh');
    expect(o['xen.kernel']).toBe('/boot/vmlinuz-6.1');
    expect(o['ami.bucket']).toBe('my.images');
  });

  it('reports every bad setting at once, with a did-you-mean for keys', () => {
    const err = failure(() => parseTargetOptions(['qcow2.compres=true', 'vm.memory=lots', 'ova.controller=ide', 'xen.kernel=vmlinuz', 'ami.ena']));
    expect(err.code).toBe('E_BAKE_TARGET');
    expect(err.problems).toEqual([
      { path: 'qcow2.compres', message: 'unknown target option; did you mean "qcow2.compress"?' },
      { path: 'vm.memory', message: 'must be a whole number from 64 to 4194304' },
      { path: 'ova.controller', message: 'must be one of nvme, pvscsi' },
      { path: 'xen.kernel', message: 'must be an absolute path' },
      { path: 'ami.ena', message: 'needs a value: key=value' },
    ]);
  });

  it('keeps quotes and newlines out of text that lands in configs and scripts', () => {
    const err = failure(() => parseTargetOptions(['xen.cmdline=root=/dev/xvda1 "x"', 'xen.bridge=br0\nvif', 'ami.key-prefix=a\'b']));
    expect(err.problems.map((p) => p.path)).toEqual(['xen.cmdline', 'xen.bridge', 'ami.key-prefix']);
  });
});

describe('optionsFor', () => {
  it('keeps only the options that shape that target', () => {
    const o = parseTargetOptions(['qcow2.compress=true']);
    expect(optionsFor(recipe('qcow2'), o)).toEqual({ 'qcow2.compress': true });
    expect(optionsFor(recipe('raw'), o)).toEqual({});
    expect(Object.keys(optionsFor(recipe('ova'), o))).toEqual(expect.arrayContaining(['vm.memory', 'vm.cpus', 'ova.controller']));
  });
});
