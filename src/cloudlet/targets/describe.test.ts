// Dry-run lines of a target: commands, fix-ups, checks, renames, quoting.

import { describe as group, expect, it } from 'vitest';
import { describe } from './describe';
import { recipe, testContext } from './test-fixtures';

const MiB = 1024 * 1024;

group('describe', () => {
  it('lists the commands, fix-ups, checks and renames of a target without running any', () => {
    const d = describe(recipe('vhd'), { rawPath: '/in/disk.raw', rawSize: 8 * MiB, outDir: '/out', ctx: testContext() });
    expect(d.outputs).toEqual([{ role: 'disk', path: '/out/hello-1.2.0.vhd' }]);
    expect(d.steps[0]).toBe('qemu-img convert -f raw -O vpc -o subformat=fixed,force_size /in/disk.raw /out/.cloudlet-work-vhd-XXXXXX/hello-1.2.0.vhd');
    expect(d.steps[1]).toMatch(/^set the footer timestamp \d+ and unique id [0-9a-f-]{36} of hello-1.2.0.vhd$/);
    expect(d.steps[2]).toBe(`check hello-1.2.0.vhd: qemu-img info -f vpc (format, virtual size ${8 * MiB}), vhd-footer`);
    expect(d.steps[3]).toBe('rename to /out/hello-1.2.0.vhd');
  });

  it('says what the side files will say', () => {
    const d = describe(recipe('ami'), { rawPath: '/in/disk.raw', rawSize: 8 * MiB, outDir: '/out', ctx: testContext(['ami.boot-mode=uefi']) });
    expect(d.steps).toContain('write hello-1.2.0-ami-import.sh (aws ec2 import-snapshot and register-image calls: boot mode uefi, root device /dev/xvda, ENA on)');
  });

  it('quotes paths a shell would split', () => {
    const d = describe(recipe('raw'), { rawPath: '/in/my disk.raw', rawSize: 8 * MiB, outDir: '/out', ctx: testContext() });
    expect(d.steps[0]).toContain(`'/in/my disk.raw'`);
  });
});
