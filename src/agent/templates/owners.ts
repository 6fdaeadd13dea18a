// Resolves "user:group" against the image's own /etc/passwd and /etc/group (not the host's). Pure.

export interface Accounts {
  users: Map<string, { uid: number; gid: number }>;
  groups: Map<string, number>;
  userNames: Map<number, string>;
  groupNames: Map<number, string>;
}

/** Parses the image's passwd and group files; either may be absent (null). */
export function parseAccounts(passwd: string | null, group: string | null): Accounts {
  const accounts: Accounts = { users: new Map(), groups: new Map(), userNames: new Map(), groupNames: new Map() };
  for (const fields of records(passwd)) {
    const [name, , uid, gid] = fields;
    if (!name || !isId(uid) || !isId(gid)) continue;
    if (!accounts.users.has(name)) accounts.users.set(name, { uid: Number(uid), gid: Number(gid) });
    if (!accounts.userNames.has(Number(uid))) accounts.userNames.set(Number(uid), name);
  }
  for (const fields of records(group)) {
    const [name, , gid] = fields;
    if (!name || !isId(gid)) continue;
    if (!accounts.groups.has(name)) accounts.groups.set(name, Number(gid));
    if (!accounts.groupNames.has(Number(gid))) accounts.groupNames.set(Number(gid), name);
  }
  return accounts;
}

function records(text: string | null): string[][] {
  if (!text) return [];
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

function isId(v: string | undefined): v is string {
  return v !== undefined && /^\d+$/.test(v) && Number(v) <= 0xfffffffe;
}

export interface Owner {
  uid: number;
  gid: number;
}

export type OwnerResult = { ok: true; owner: Owner } | { ok: false; problem: string };

/**
 * "user:group" or "user" (then the user's primary group); each part a name from the image or a number.
 * "root" is uid/gid 0 even in an image without /etc/passwd.
 */
export function resolveOwner(spec: string, accounts: Accounts): OwnerResult {
  const [userPart = '', groupPart, extra] = spec.split(':');
  if (extra !== undefined || userPart === '' || groupPart === '') {
    return { ok: false, problem: `owner "${spec}" is not "user" or "user:group"` };
  }
  let uid: number;
  let primaryGid: number | undefined;
  if (isId(userPart)) uid = Number(userPart);
  else {
    const user = accounts.users.get(userPart) ?? (userPart === 'root' ? { uid: 0, gid: 0 } : undefined);
    if (!user) return { ok: false, problem: `user "${userPart}" is not in the image's /etc/passwd` };
    uid = user.uid;
    primaryGid = user.gid;
  }
  let gid: number | undefined;
  if (groupPart === undefined) gid = primaryGid;
  else if (isId(groupPart)) gid = Number(groupPart);
  else {
    gid = accounts.groups.get(groupPart) ?? (groupPart === 'root' ? 0 : undefined);
    if (gid === undefined) return { ok: false, problem: `group "${groupPart}" is not in the image's /etc/group` };
  }
  if (gid === undefined) return { ok: false, problem: `owner "${spec}" has a numeric user and no group: write it as "${userPart}:GROUP"` };
  return { ok: true, owner: { uid, gid } };
}

/** "name:name" as the image would show it, numbers where the image has no name. */
export function ownerLabel(owner: Owner, accounts: Accounts): string {
  const user = accounts.userNames.get(owner.uid) ?? (owner.uid === 0 ? 'root' : String(owner.uid));
  const group = accounts.groupNames.get(owner.gid) ?? (owner.gid === 0 ? 'root' : String(owner.gid));
  return `${user}:${group}`;
}
