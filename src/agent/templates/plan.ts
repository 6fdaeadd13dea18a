// Decides, in memory and for every template at once, what each target file must become. Pure.

import { AgentError } from '../../errors';
import type { TemplateSpec } from '../../manifest/types';
import type { TemplateContext } from './context';
import { pristinePath, type IncludeEntry } from './includes';
import { ownerLabel, resolveOwner, type Accounts, type Owner } from './owners';
import { renderTemplate, templateLocals, type CompiledTemplates } from './render-template';
import { isSensitive, writeOnlyNames } from './secret-fields';
import { templateError } from './template-error';

export const DEFAULT_MODE = 0o644;

/** A file as read from the image: bytes, permission bits, owner. */
export interface FileState {
  content: Buffer;
  mode: number;
  uid: number;
  gid: number;
}

export interface TemplateInput {
  spec: TemplateSpec;
  /** the pristine copy, when one was taken before */
  pristine: FileState | null;
  /** the target as it is now, when it exists */
  target: FileState | null;
}

export interface PlanInput {
  templates: TemplateInput[];
  context: TemplateContext;
  accounts: Accounts;
  includes: ReadonlyMap<string, IncludeEntry>;
  secrets: readonly string[];
  /** kept across the include rounds of one plan: a round re-renders every template, but compiles none again */
  compiled?: CompiledTemplates;
}

export type ChangeReason = 'new' | 'content' | 'mode' | 'owner';

export interface PlannedTemplate {
  path: string;
  output: Buffer;
  /** the target's bytes before (null: it does not exist yet) */
  before: Buffer | null;
  changed: boolean;
  reasons: ChangeReason[];
  mode: number;
  owner: Owner;
  ownerLabel: string;
  source: 'pristine' | 'target';
  /** first render: the file as shipped, to keep as the pristine copy before the target is replaced */
  takePristine: FileState | null;
  /** may hold secrets, now or from an earlier render: a diff must not show its removed lines */
  sensitive: boolean;
}

export type PlanResult = { templates: PlannedTemplate[]; needs: [] } | { templates: undefined; needs: string[] };

/**
 * Renders every template. When some include is not loaded yet, returns what to load (the caller loads
 * it and plans again); a template error throws E_TEMPLATE before anything could have been written.
 */
export function planTemplates(input: PlanInput): PlanResult {
  const locals = templateLocals(input.context);
  const secretFields = writeOnlyNames(input.context.manifest.config?.schema);
  const needs = new Set<string>();
  const planned: PlannedTemplate[] = [];
  for (const t of input.templates) {
    const path = t.spec.path;
    const text = templateText(t);
    let outcome;
    try {
      outcome = renderTemplate({ path, text, locals, includes: input.includes, ...(input.compiled ? { compiled: input.compiled } : {}) });
    } catch (err) {
      throw templateError(err, path, input.secrets);
    }
    if (outcome.output === undefined) {
      for (const n of outcome.needs) needs.add(n);
      continue;
    }
    const output = Buffer.from(outcome.output, 'utf8');
    const mode = modeOf(t);
    const owner = ownerOf(t, input.accounts);
    const reasons = changeReasons(t.target, output, mode, owner);
    planned.push({
      path,
      output,
      before: t.target?.content ?? null,
      changed: reasons.length > 0,
      reasons,
      mode,
      owner,
      ownerLabel: ownerLabel(owner, input.accounts),
      source: t.pristine ? 'pristine' : 'target',
      takePristine: t.pristine ? null : t.target,
      sensitive: isSensitive(outcome.output, [text, ...outcome.used.map((u) => includeText(input.includes.get(u)))], input.secrets, secretFields),
    });
  }
  return needs.size ? { templates: undefined, needs: [...needs] } : { templates: planned, needs: [] };
}

/** What a template renders from: its pristine copy, else the file as shipped; E_TEMPLATE when there is neither. */
export function templateText(t: TemplateInput): string {
  const source = t.pristine ?? t.target;
  if (!source) {
    const path = t.spec.path;
    throw new AgentError('E_TEMPLATE', `template ${path} has no source: neither ${pristinePath(path)} nor ${path} exists in the image`, {
      where: path,
      fix: `ship the template at ${path} in the image (its first render keeps a pristine copy at ${pristinePath(path)})`,
    });
  }
  return source.content.toString('utf8');
}

function includeText(entry: IncludeEntry | undefined): string {
  return entry && 'text' in entry ? entry.text : '';
}

function modeOf(t: TemplateInput): number {
  if (t.spec.mode !== undefined) {
    if (!/^[0-7]{3,4}$/.test(t.spec.mode)) {
      throw new AgentError('E_MANIFEST_INVALID', `template ${t.spec.path} has mode "${t.spec.mode}", which is not an octal mode`, {
        where: t.spec.path,
        fix: 'write the mode as an octal string such as "0644" or "0640"',
      });
    }
    return parseInt(t.spec.mode, 8);
  }
  const existing = (t.target ?? t.pristine)?.mode;
  return existing === undefined ? DEFAULT_MODE : existing & 0o7777;
}

function ownerOf(t: TemplateInput, accounts: Accounts): Owner {
  if (t.spec.owner !== undefined) {
    const r = resolveOwner(t.spec.owner, accounts);
    if (!r.ok) {
      throw new AgentError('E_TEMPLATE', `template ${t.spec.path}: ${r.problem}`, {
        where: t.spec.path,
        fix: 'name a user and group that exist in the image, or give numeric ids such as "0:1000"',
      });
    }
    return r.owner;
  }
  const existing = t.target ?? t.pristine;
  return existing ? { uid: existing.uid, gid: existing.gid } : { uid: 0, gid: 0 };
}

function changeReasons(target: FileState | null, output: Buffer, mode: number, owner: Owner): ChangeReason[] {
  if (!target) return ['new'];
  const reasons: ChangeReason[] = [];
  if (!target.content.equals(output)) reasons.push('content');
  if ((target.mode & 0o7777) !== mode) reasons.push('mode');
  if (target.uid !== owner.uid || target.gid !== owner.gid) reasons.push('owner');
  return reasons;
}
