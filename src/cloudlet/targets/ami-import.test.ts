// The AMI side files: the disk container, the register-image flags, the order of the calls, the bucket guard.

import { describe, expect, it } from 'vitest';
import { amiCalls, renderContainers, renderImportScript, type AmiInput } from './ami-import';

const AMI: AmiInput = {
  name: 'hello-1.2.0',
  description: 'hello 1.2.0',
  diskFile: 'hello-1.2.0-ami.vmdk',
  diskFormat: 'vmdk',
  containersFile: 'hello-1.2.0-ami-containers.json',
  bucket: 'my-images',
  keyPrefix: 'bake/',
  arch: 'x86_64',
  bootMode: 'uefi-preferred',
  rootDevice: '/dev/xvda',
  ena: true,
};

describe('AMI import files', () => {
  it('describes the uploaded disk for import-snapshot', () => {
    expect(JSON.parse(renderContainers(AMI))).toEqual({
      Description: 'hello 1.2.0',
      Format: 'VMDK',
      UserBucket: { S3Bucket: 'my-images', S3Key: 'bake/hello-1.2.0-ami.vmdk' },
    });
    expect(JSON.parse(renderContainers({ ...AMI, diskFormat: 'raw', bucket: null })).UserBucket.S3Bucket).toBe('REPLACE-WITH-YOUR-BUCKET');
    expect(JSON.parse(renderContainers({ ...AMI, diskFormat: 'raw' })).Format).toBe('RAW');
  });

  it('registers with the boot mode, architecture, root device and ENA asked for', () => {
    const { importSnapshot, registerImage } = amiCalls(AMI);
    expect(importSnapshot).toEqual(expect.arrayContaining(['import-snapshot', '--disk-container', 'file://hello-1.2.0-ami-containers.json']));
    const flag = (name: string) => registerImage[registerImage.indexOf(name) + 1];
    expect(flag('--boot-mode')).toBe('uefi-preferred');
    expect(flag('--architecture')).toBe('x86_64');
    expect(flag('--root-device-name')).toBe('/dev/xvda');
    expect(flag('--virtualization-type')).toBe('hvm');
    expect(flag('--block-device-mappings')).toBe('DeviceName=/dev/xvda,Ebs={SnapshotId=$snapshot,DeleteOnTermination=true}');
    expect(registerImage).toContain('--ena-support');
    const arm = amiCalls({ ...AMI, arch: 'aarch64', ena: false, bootMode: 'uefi' }).registerImage;
    expect(arm[arm.indexOf('--architecture') + 1]).toBe('arm64');
    expect(arm).toContain('--no-ena-support');
  });

  it('writes the calls in order: upload, import, wait until completed, register', () => {
    const script = renderImportScript(AMI);
    const order = ['aws s3 cp', 'aws ec2 import-snapshot', 'SnapshotTaskDetail.Status', 'completed) break', 'SnapshotTaskDetail.SnapshotId', 'aws ec2 register-image'].map((c) => script.indexOf(c));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(script).toContain(`aws s3 cp 'hello-1.2.0-ami.vmdk' "s3://$bucket/bake/hello-1.2.0-ami.vmdk"`);
    expect(script).toContain(`--description 'hello 1.2.0'`);
    expect(script).toContain(`"DeviceName=/dev/xvda,Ebs={SnapshotId=$snapshot,DeleteOnTermination=true}"`);
  });

  it('stops before uploading while the bucket is the placeholder', () => {
    expect(renderImportScript({ ...AMI, bucket: null })).toContain(`bucket='REPLACE-WITH-YOUR-BUCKET'\ncase $bucket in *[!a-z0-9.-]*)`);
  });
});
