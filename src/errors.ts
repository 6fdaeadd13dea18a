// The one error class of the agent: a stable code, a message that says what, where and how to fix.

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  unmet: 3,
  degraded: 4,
  timeout: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Stable error codes, each with the exit code it leads to. */
export const ERROR_CODES = {
  E_USAGE: EXIT.usage,
  E_MANIFEST_MISSING: EXIT.usage,
  E_MANIFEST_PARSE: EXIT.usage,
  E_MANIFEST_INVALID: EXIT.usage,
  E_USERDATA_INVALID: EXIT.usage,
  E_USERDATA_TOO_LARGE: EXIT.usage,
  E_CONFIG_INVALID: EXIT.usage,
  E_FACTS_INVALID: EXIT.usage,
  E_REPORT_INVALID: EXIT.usage,
  E_PATH_ESCAPE: EXIT.usage,
  E_REQUIREMENTS_UNMET: EXIT.unmet,
  E_ENTRYPOINT_MISSING: EXIT.usage,
  E_TEMPLATE: EXIT.failed,
  E_PLATFORM: EXIT.failed,
  E_PLATFORM_TIMEOUT: EXIT.failed,
  E_STORAGE: EXIT.failed,
  E_MOUNT: EXIT.failed,
  E_EXEC: EXIT.failed,
  E_IO: EXIT.failed,
  E_STATUS_TIMEOUT: EXIT.timeout,
  E_BAKE_INPUT: EXIT.usage,
  E_BAKE_SIZE: EXIT.usage,
  E_BAKE_TARGET: EXIT.usage,
  E_BAKE_TOOL: EXIT.failed,
  E_BAKE_OUTPUT: EXIT.failed,
  E_STORE: EXIT.failed,
  E_REF: EXIT.usage,
  E_REGISTRY: EXIT.failed,
  E_INTERNAL: EXIT.failed,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem of a validation report, located by a JSON pointer (or a file path and line). */
export interface Problem {
  path: string;
  message: string;
}

export interface AgentErrorOptions {
  /** Where the problem is: a file, a JSON path, a device. */
  where?: string;
  /** What the operator can do about it. */
  fix?: string;
  /** Every problem found, when the error sums up a validation. */
  problems?: Problem[];
  cause?: unknown;
}

export class AgentError extends Error {
  readonly code: ErrorCode;
  readonly where: string | undefined;
  readonly fix: string | undefined;
  readonly problems: Problem[];

  constructor(code: ErrorCode, message: string, options: AgentErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AgentError';
    this.code = code;
    this.where = options.where;
    this.fix = options.fix;
    this.problems = options.problems ?? [];
  }

  get exitCode(): ExitCode {
    return ERROR_CODES[this.code];
  }

  /** The one readable report: what, where, every problem, how to fix. */
  render(): string {
    const lines = [`error ${this.code}: ${this.message}`];
    if (this.where) lines.push(`  where: ${this.where}`);
    for (const p of this.problems) lines.push(`  - ${p.path || '/'}: ${p.message}`);
    if (this.fix) lines.push(`  fix: ${this.fix}`);
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.where ? { where: this.where } : {}),
      ...(this.fix ? { fix: this.fix } : {}),
      ...(this.problems.length ? { problems: this.problems } : {}),
    };
  }
}

/** Any thrown value as an AgentError; unknown failures become E_INTERNAL with the cause kept, blamed on `program`. */
export function asAgentError(err: unknown, program = 'cloudlet-agent'): AgentError {
  if (err instanceof AgentError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AgentError('E_INTERNAL', message, { cause: err, fix: `this is a bug in ${program}; report it with the output above` });
}
