// Build-time rewrites of node-ipc (pinned) so that it works inside the executable and starts cheaply.
//
// - js-queue: node-ipc's client builds its queue with a require() made by createRequire, which
//   esbuild cannot see: inside the executable there is no node_modules to resolve it from. It
//   becomes a static import, so js-queue is bundled.
// - node:tls and node:dgram: the client and the server import them at the top, for TLS and UDP
//   sockets, which the agent never configures. Loading them (node:crypto with node:tls) took about
//   14 ms, some twenty times that under QEMU TCG, each time the status socket started. Each use of
//   them loads them there instead.
// The build fails when a rewritten pattern is not found as expected (node-ipc changed).

import { readFile } from 'node:fs/promises';

const CLIENT = /node_modules[\\/]node-ipc[\\/]dao[\\/]client\.js$/;
const SERVER = /node_modules[\\/]node-ipc[\\/]dao[\\/]socketServer\.js$/;

const HIDDEN_REQUIRE = "new (require('js-queue'))";
/** The functions of each deferred module that node-ipc calls: the stand-in has only these. */
const DEFERRED = { tls: ['connect', 'createServer'], dgram: ['createSocket'] };

class Changed extends Error {}

function bundleJsQueue(source) {
  if (!source.includes(HIDDEN_REQUIRE)) throw new Changed(`"${HIDDEN_REQUIRE}" not found`);
  return "import { Queue as __cloudletJsQueue } from 'js-queue';\n" + source.replace(HIDDEN_REQUIRE, 'new __cloudletJsQueue()');
}

/** Replaces `import name from 'node:name'` with an object whose functions load the module when called. */
function defer(name) {
  const uses = DEFERRED[name];
  const imported = `import ${name} from 'node:${name}';\n`;
  const standIn = `const ${name} = { ${uses.map((f) => `${f}: (...args) => process.getBuiltinModule('node:${name}').${f}(...args)`).join(', ')} };\n`;
  return (source) => {
    if (source.split(imported).length !== 2) throw new Changed(`"${imported.trim()}" not found once`);
    const rest = source.replace(imported, '');
    // Every other mention of the name (not a property such as config.tls) must be a call the stand-in has.
    for (const use of rest.matchAll(new RegExp(`(?<![.\\w$])${name}\\b`, 'g'))) {
      const after = rest.slice(use.index + name.length);
      if (!uses.some((f) => after.startsWith(`.${f}(`))) throw new Changed(`a use of ${name} other than ${uses.join('/')}: "${after.slice(0, 30)}"`);
    }
    return source.replace(imported, standIn);
  };
}

export const nodeIpcPlugin = {
  name: 'node-ipc-rewrites',
  setup(build) {
    const rewrite = (fn) => async (args) => {
      const source = await readFile(args.path, 'utf8');
      try {
        return { contents: fn(source), loader: 'js' };
      } catch (err) {
        if (!(err instanceof Changed)) throw err;
        return { errors: [{ text: `node-ipc changed: ${err.message} in ${args.path}; update build/node-ipc-plugin.mjs` }] };
      }
    };
    build.onLoad({ filter: CLIENT }, rewrite((source) => defer('tls')(bundleJsQueue(source))));
    build.onLoad({ filter: SERVER }, rewrite((source) => defer('dgram')(defer('tls')(source))));
  },
};
