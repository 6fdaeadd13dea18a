// Turns a kernel release string (`uname -r`) into the semver version that `kernel` ranges are matched against.

export interface KernelVersion {
  /** semver text, e.g. "6.1.0" or "6.8.0-rc.3" */
  version: string;
  major: number;
  minor: number;
  patch: number;
  /** release candidate number, when the release is an -rcN kernel */
  rc?: number;
}

// MAJOR.MINOR, an optional .PATCH, and (old 2.6.x.y kernels) further numeric parts we drop.
const RELEASE = /^(\d+)\.(\d+)(?:\.(\d+))?((?:\.\d+)*)(.*)$/;
// Only a release-candidate marker right after the numbers is a pre-release; everything else after the
// numbers is the distribution's ABI number, build or flavour (-13-amd64, -754.el6.x86_64, +, -gentoo).
// Ubuntu's mainline builds put the candidate after a six-digit version: 6.8.0-060800rc3-generic.
// Fedora gives a candidate the package release 0.rcN (6.8.0-0.rc3.31.fc41), rc0 for merge-window
// snapshots; its final releases start at 1 or more (6.8.5-301.fc40).
const RC = /^(?:[-~.]?|-\d{6}|-0\.)rc\.?(\d+)(?![0-9a-z])/i;

/**
 * The rule: take the leading MAJOR.MINOR[.PATCH] (PATCH defaults to 0), ignore what the distribution
 * appends, except "-rcN" (or Fedora's "-0.rcN") which becomes the semver pre-release "rc.N" (so
 * 6.8.0-rc3 sorts before 6.8.0, and rc10 after rc9). Returns undefined when the release does not
 * start with MAJOR.MINOR.
 */
export function kernelVersion(release: string): KernelVersion | undefined {
  const m = RELEASE.exec(release.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const patch = m[3] === undefined ? 0 : Number(m[3]);
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  const rcMatch = RC.exec(m[5] ?? '');
  const base = `${major}.${minor}.${patch}`;
  if (!rcMatch) return { version: base, major, minor, patch };
  const rc = Number(rcMatch[1]);
  return { version: `${base}-rc.${rc}`, major, minor, patch, rc };
}
