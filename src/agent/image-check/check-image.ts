// validate's look at the image tree: what the boot's steps would stop at, found by their own code, all at once.

import { AgentError } from '../../errors';
import { validateUserData } from '../../manifest/config';
import type { NormalizedManifest } from '../../manifest/types';
import type { ValidatedUserData } from '../../manifest/user-data';
import type { GivenUserData } from '../../manifest/validation-report';
import type { System } from '../../system/system';
import { planMounts } from '../mounts/plan';
import { effectiveStorage } from '../mounts/storage-spec';
import { collectFacts } from '../requirements/collect-facts';
import { buildContext } from '../templates/context';
import { entrypointFileProblems } from './entrypoint-files';
import { collect, type ImageProblem } from './image-problem';
import { exampleConfig } from './sample-config';
import { templateProblems } from './template-checks';

export interface ImageCheckInput {
  root: string;
  manifest: NormalizedManifest;
  userData: GivenUserData | undefined;
  system: System;
}

export interface ImageCheck {
  problems: ImageProblem[];
  /** what the templates were checked with, in words: which user data, or why they were only compiled */
  templates: string;
}

/** The platform name validateUserData gives the schema's own examples. */
const EXAMPLES = 'examples';

export async function checkImage(input: ImageCheckInput): Promise<ImageCheck> {
  const { root, manifest } = input;
  const { data, said } = renderData(input);
  const context = data
    ? buildContext({ manifest, facts: await collectFacts(input.system), userData: data })
    : undefined;
  const problems = await templateProblems({
    root,
    runDir: input.system.hostPaths.run,
    templates: manifest.templates,
    context,
    secrets: data?.secrets ?? [],
  });
  problems.push(...(await entrypointFileProblems(root, manifest)));
  await collect(problems, '/persistent', async () => storageProblem(manifest, data));
  const n = manifest.templates.length;
  return { problems, templates: `${n} template${n === 1 ? '' : 's'} ${said}` };
}

/** The user data to render with and how the report names it; none when there is no valid config to use. */
function renderData(input: ImageCheckInput): { data: ValidatedUserData | undefined; said: string } {
  const { userData, manifest } = input;
  if (userData) {
    return userData.data
      ? { data: userData.data, said: `compiled and rendered with the user data of ${userData.file}; env: this machine's facts` }
      : { data: undefined, said: `compiled, not rendered: the user data of ${userData.file} has problems` };
  }
  try {
    const data = validateUserData({ config: exampleConfig(manifest.config?.schema) }, manifest, EXAMPLES);
    return { data, said: "compiled and rendered with the config schema's defaults and examples (give --user-data FILE to render with yours); env: this machine's facts" };
  } catch (err) {
    if (!(err instanceof AgentError && err.code === 'E_CONFIG_INVALID')) throw err;
    const missing = err.problems.map((p) => p.path).join(', ');
    return { data: undefined, said: `compiled, not rendered: the config schema's defaults and examples do not make a valid config (${missing}); give --user-data FILE, or "examples" in the schema` };
  }
}

/** The mounts planner's verdict on storage when no device is declared anywhere validate can see (the kernel command line it cannot). */
function storageProblem(manifest: NormalizedManifest, data: ValidatedUserData | undefined): void {
  const storage = effectiveStorage(manifest.storage, data?.storage, undefined);
  if (storage) return;
  const plan = planMounts({ persistent: manifest.persistent, volatile: manifest.volatile, onError: manifest.onError ?? 'halt' }, { paths: [] });
  if (plan.storageProblem) {
    throw new AgentError('E_STORAGE', plan.storageProblem.message, { where: plan.storageProblem.where, fix: plan.storageProblem.fix });
  }
}
