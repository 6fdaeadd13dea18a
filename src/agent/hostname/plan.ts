// Decides the machine's host name and what to change for it (kernel, /etc/hostname). Pure.

/** The kernel's limit (HOST_NAME_MAX); /etc/hostname holds the same name. */
export const MAX_HOSTNAME = 64;
const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const MAX_FQDN = 253;

export interface HostnameRequest {
  name: string;
  /** "user data", or the platform's name */
  from: string;
}

export interface HostnameInput {
  /** user data's hostname, else the platform's; null when neither gives one */
  requested: HostnameRequest | null;
  /** the kernel's host name now; null when this run must not set it (the root is not this machine's) */
  kernelNow: string | null;
  /** /etc/hostname's first line now; null when the file does not exist */
  etcNow: string | null;
  /** /etc/hostname is one of the image's templates: the template decides its content */
  etcIsTemplate: boolean;
}

export type Change = { to: 'set' | 'unchanged' } | { to: 'left'; why: string };

export interface HostnamePlan {
  name: string | null;
  from: string | null;
  /** why no name is applied although one was given (not a host name) */
  problem?: string;
  /** the name as given, when it was longer than the kernel takes and only its first label is applied */
  shortenedFrom?: string;
  kernel: Change & { now: string | null };
  etc: Change & { now: string | null };
}

/** Why `name` is not an RFC 1123 host name (dot-separated labels of letters, digits and inner "-"), or undefined. */
export function hostnameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.length > MAX_FQDN) return `it is longer than ${MAX_FQDN} characters`;
  const bad = name.split('.').find((label) => !LABEL.test(label));
  if (bad === undefined) return undefined;
  if (bad === '') return 'it has an empty label (".." or a leading or trailing ".")';
  if (bad.length > 63) return `its label "${bad.slice(0, 20)}..." is longer than 63 characters`;
  return `its label "${bad}" holds something other than letters, digits and inner "-"`;
}

export function planHostname(input: HostnameInput): HostnamePlan {
  const { requested, kernelNow, etcNow, etcIsTemplate } = input;
  const kernelLeft = (why: string) => ({ to: 'left' as const, why, now: kernelNow });
  const etcLeft = (why: string) => ({ to: 'left' as const, why, now: etcNow });
  if (requested === null) {
    const why = 'no hostname in user data or from the platform';
    return { name: null, from: null, kernel: kernelLeft(why), etc: etcLeft(why) };
  }
  const problem = hostnameProblem(requested.name);
  if (problem !== undefined) {
    const why = 'no valid hostname';
    return { name: null, from: requested.from, problem: `"${requested.name}" from ${requested.from} is not a host name: ${problem}`, kernel: kernelLeft(why), etc: etcLeft(why) };
  }
  // As systemd does with an overlong name: keep the host part rather than cut it anywhere.
  const name = requested.name.length > MAX_HOSTNAME ? (requested.name.split('.')[0] as string) : requested.name;
  const shortened = name !== requested.name ? { shortenedFrom: requested.name } : {};
  const kernel = kernelNow === null ? kernelLeft('the image root is not this machine\'s root') : { to: kernelNow === name ? ('unchanged' as const) : ('set' as const), now: kernelNow };
  const etc = etcIsTemplate ? etcLeft('a template of the image renders it') : { to: etcNow === name ? ('unchanged' as const) : ('set' as const), now: etcNow };
  return { name, from: requested.from, ...shortened, kernel, etc };
}

/** The plan as lines for --dry-run. */
export function describeHostname(plan: HostnamePlan): string[] {
  if (plan.problem) return [`${plan.problem}; the hostname is left as it is`];
  if (plan.name === null) return ['no hostname in user data or from the platform: left as it is'];
  const lines = [`hostname ${plan.name} (from ${plan.from}${plan.shortenedFrom ? `; its first label, as ${plan.shortenedFrom} is longer than ${MAX_HOSTNAME} characters` : ''})`];
  lines.push(describeChange('kernel hostname', plan.kernel, plan.name));
  lines.push(describeChange('/etc/hostname', plan.etc, plan.name));
  return lines;
}

function describeChange(what: string, change: HostnamePlan['kernel'], name: string): string {
  if (change.to === 'left') return `${what}: left as it is (${change.why})`;
  if (change.to === 'unchanged') return `${what}: already ${name}`;
  return `${what}: set to ${name} (now ${change.now === null ? 'absent' : change.now === '' ? 'empty' : change.now})`;
}
