/**
 * The shape of the code, checked in `npm test` (`npm run deps`): no import cycles, and in `lambda/`
 * (what ships) dependencies point one way only, from the bottom layer up:
 *
 *   core (errors, log, metrics: knows no upstream and no container)
 *   <- config, aws                         (the config's types and names; the one AWS client policy)
 *   <- openai, streaming, secrets,         (wire formats and plumbing: secrets, the DynamoDB SDK and
 *      dynamodb, containers                 table layout, the error bodies of model containers)
 *   <- upstreams, dialects, images,        (how bytes travel and everything known of where they go,
 *      usage, stores                        what they look like, image fitting; usage, budgets and
 *                                           shared limits, below auth and models; stored responses)
 *   <- models, auth                        (a configured model binds a dialect to a transport)
 *   <- pipeline, anthropic                 (the one path of an answered request: metering, pings, streams;
 *                                           Anthropic's Messages API translated onto the chat models)
 *   <- http, keys                          (the Hono app and its routes; edits of the key store)
 *   <- console                             (the admin console at /ui, loaded only for its requests)
 *   <- runtime, gateway.ts, index.ts       (composition and the Lambda adapter)
 *
 * Folders of one layer do not import each other (an upstream never imports a dialect), and nothing
 * in lambda/ imports build-time code (config loading, the CDK app, local tools).
 */
const LAYERS = [
  ['core'],
  ['config', 'aws'],
  ['openai', 'streaming', 'secrets', 'dynamodb', 'containers'],
  ['upstreams', 'dialects', 'images', 'usage', 'stores'],
  ['models', 'auth'],
  ['pipeline', 'anthropic'],
  ['http', 'keys'],
  ['console'],
  ['runtime'],
];

const folder = (name) => `^lambda/${name}/`;
const rules = [];
LAYERS.forEach((layer, rank) => {
  const allowedBelow = LAYERS.slice(0, rank).flat();
  for (const name of layer) {
    const allowed = [name, ...allowedBelow].map((f) => `lambda/${f}/`).join('|');
    rules.push({
      name: `layer-${name}`,
      comment: `lambda/${name}/ may import only ${allowedBelow.length ? `from ${allowedBelow.join(', ')} and ` : ''}itself`,
      severity: 'error',
      from: { path: folder(name) },
      to: { path: '^lambda/', pathNot: `^(${allowed})` },
    });
  }
});

module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'import cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'lambda-is-self-contained',
      comment: 'what ships (lambda/) never imports build-time or local code',
      severity: 'error',
      from: { path: '^lambda/' },
      to: { path: '^(config|lib|bin|local|cli|bench|scripts|test)/' },
    },
    {
      name: 'server-ships-no-dev-code',
      comment: 'the Node server (the container image) holds no demo, emulator or test code',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(lib|bin|local|bench|scripts|test)/' },
    },
    {
      name: 'upstream-kinds-stay-in-their-folder',
      comment: 'only lambda/upstreams/index.ts picks an upstream kind: nothing above it names one',
      severity: 'error',
      from: { path: '^lambda/', pathNot: '^lambda/upstreams/' },
      to: { path: '^lambda/upstreams/[^/]+/' },
    },
    ...rules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^node_modules|^cdk\\.out|^cli/bin\\.js)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['es6'],
    combinedDependencies: false,
  },
};
