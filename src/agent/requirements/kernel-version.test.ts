import { describe, expect, it } from 'vitest';
import { kernelVersion } from './kernel-version';

// Real releases as `uname -r` prints them on the systems operators run, and the version each must yield.
const CORPUS: Array<[string, string]> = [
  ['6.1.0-13-amd64', '6.1.0'], // Debian 12
  ['6.1.0-56-cloud-amd64', '6.1.0'], // Debian cloud kernel
  ['5.15.0-1051-aws', '5.15.0'], // Ubuntu on EC2
  ['6.8.0-31-generic', '6.8.0'], // Ubuntu 24.04
  ['2.6.32-754.el6.x86_64', '2.6.32'], // RHEL/CentOS 6
  ['3.10.0-1160.el7.x86_64', '3.10.0'], // RHEL/CentOS 7
  ['5.14.0-362.8.1.el9_3.x86_64', '5.14.0'], // RHEL 9
  ['6.8.0-rc3', '6.8.0-rc.3'], // upstream release candidate
  ['6.8.0-rc3-amd64', '6.8.0-rc.3'], // distribution-built release candidate
  ['6.10.0-rc10', '6.10.0-rc.10'],
  ['6.8-rc1', '6.8.0-rc.1'], // git describe style, no patch level
  ['6.8.0-060800rc3-generic', '6.8.0-rc.3'], // Ubuntu mainline build of a release candidate
  ['6.8.0-060800-generic', '6.8.0'], // Ubuntu mainline build of the release
  ['4.19', '4.19.0'],
  ['5.10.0+', '5.10.0'], // locally built from a dirty tree
  ['6.6.30-gentoo', '6.6.30'],
  ['6.6.30-gentoo-dist', '6.6.30'],
  ['6.1.55-1-lts', '6.1.55'], // Arch linux-lts
  ['6.7.4-arch1-1', '6.7.4'], // Arch: "arch1" is not a release candidate
  ['4.4.0-19041-Microsoft', '4.4.0'], // WSL 1
  ['5.15.153.1-microsoft-standard-WSL2', '5.15.153'], // WSL 2: four numeric parts
  ['2.6.32.71', '2.6.32'], // 2.6 stable series had a fourth number
  ['6.18.44-fc-v669', '6.18.44'],
  ['5.4.0-1103-gcp', '5.4.0'],
  ['4.14.336-257.562.amzn2.x86_64', '4.14.336'], // Amazon Linux 2
  ['6.1.0-rpi7-rpi-v8', '6.1.0'], // Raspberry Pi OS: "rpi7" is not "rc7"
  ['6.8.0-0.rc3.31.fc41.x86_64', '6.8.0-rc.3'], // Fedora rawhide: release "0.rcN" is a candidate
  ['6.9.0-0.rc0.20240313git61387b8dcf1d.8.fc41.x86_64', '6.9.0-rc.0'], // Fedora merge-window snapshot
  ['6.8.5-301.fc40.x86_64', '6.8.5'], // Fedora stable
  ['6.8.9-arch1-1', '6.8.9'], // Arch
  ['5.14.0-427.13.1.el9_4.x86_64', '5.14.0'], // RHEL 9.4
  ['6.9.0-rc7', '6.9.0-rc.7'], // mainline candidate
  ['6.9.0-rc7+', '6.9.0-rc.7'], // mainline candidate built from a modified tree
  ['6.8.0-10.rc3.fc41', '6.8.0'], // a release numbered 10 is not the "0." candidate marker
];

describe('kernelVersion', () => {
  it.each(CORPUS)('reads %s as %s', (release, expected) => {
    expect(kernelVersion(release)?.version).toBe(expected);
  });

  it('keeps the numbers apart for callers that need them', () => {
    expect(kernelVersion('6.8.0-rc3')).toEqual({ version: '6.8.0-rc.3', major: 6, minor: 8, patch: 0, rc: 3 });
  });

  it.each(['', 'linux', '6', 'v6.1.0', '-rc3', '6.x.1'])('refuses %j, which has no MAJOR.MINOR to go on', (release) => {
    expect(kernelVersion(release)).toBeUndefined();
  });
});
