// The part of ejs 7's API the agent uses (the package ships no types).

declare module 'ejs' {
  export interface Options {
    filename?: string;
    strict?: boolean;
    _with?: boolean;
    destructuredLocals?: string[];
    compileDebug?: boolean;
    async?: false;
    cache?: boolean;
  }
  export type TemplateFunction = (locals: Record<string, unknown>) => string;
  export class Template {
    constructor(text: string, options?: Options);
    source: string;
    generateSource(): void;
  }
  export function compile(text: string, options?: Options): TemplateFunction;
  const ejs: { compile: typeof compile; Template: typeof Template };
  export default ejs;
}
