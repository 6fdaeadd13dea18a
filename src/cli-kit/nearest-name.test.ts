// Did-you-mean: the nearest known name for typos, nothing for names too far from any.

import { describe, expect, it } from 'vitest';
import { didYouMean, nearestName } from './nearest-name';

const COMMANDS = ['init', 'run', 'chroot', 'check', 'facts', 'render', 'validate', 'specs', 'status', 'analyze', 'install'];

describe('nearestName', () => {
  it('finds a command with two letters swapped, one missing or one extra', () => {
    expect(nearestName('valdiate', COMMANDS)).toBe('validate');
    expect(nearestName('stauts', COMMANDS)).toBe('status');
    expect(nearestName('rendr', COMMANDS)).toBe('render');
    expect(nearestName('installl', COMMANDS)).toBe('install');
  });

  it('ignores case and the difference between "-", "_" and nothing', () => {
    expect(nearestName('fw_cfg', ['cmdline', 'nocloud', 'fwcfg', 'smbios'])).toBe('fwcfg');
    expect(nearestName('--User_Data', ['--root', '--user-data'])).toBe('--user-data');
  });

  it('takes a unique beginning of a longer name', () => {
    expect(nearestName('--ro', ['--root', '--json', '--run-dir'])).toBe('--root');
  });

  it('suggests nothing for a name far from every candidate', () => {
    expect(nearestName('deploy', COMMANDS)).toBeUndefined();
    expect(nearestName('x', ['run', 'init'])).toBeUndefined();
    expect(nearestName('', COMMANDS)).toBeUndefined();
    expect(nearestName('a'.repeat(10_000), COMMANDS)).toBeUndefined();
  });

  it('didYouMean gives the tail of a message, or nothing', () => {
    expect(didYouMean('valdiate', COMMANDS)).toBe('; did you mean "validate"?');
    expect(didYouMean('deploy', COMMANDS)).toBe('');
  });
});
