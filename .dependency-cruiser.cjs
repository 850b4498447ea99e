/**
 * The shape of the code, checked in `npm test` (`npm run deps`): no import cycles, and in `lambda/`
 * (what ships) dependencies point one way only, from the bottom layer up:
 *
 *   core (errors, config types, names, log)
 *   <- openai, streaming, secrets, dynamodb (wire formats and plumbing: secrets, the DynamoDB SDK)
 *   <- transports, dialects, images,       (how bytes travel, what they look like, image fitting;
 *      usage, stores                        usage, budgets and shared limits, below auth and models
 *                                           so keys and the router can both use them; stored responses)
 *   <- models, auth                        (a configured model binds a dialect to a transport)
 *   <- anthropic                           (Anthropic's Messages API translated onto the chat models)
 *   <- http                                (the Hono app and its routes)
 *   <- runtime, gateway.ts, index.ts       (composition and the Lambda adapter)
 *
 * Folders of one layer do not import each other (a transport never imports a dialect), and nothing
 * in lambda/ imports build-time code (config loading, the CDK app, local tools).
 */
const LAYERS = [
  ['core'],
  ['openai', 'streaming', 'secrets', 'dynamodb'],
  ['transports', 'dialects', 'images', 'usage', 'stores'],
  ['models', 'auth'],
  ['anthropic'],
  ['http'],
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
      name: 'transports-stay-below-models',
      comment: 'only the transport folder picks transports: nothing above it names a provider SDK',
      severity: 'error',
      from: { path: '^lambda/', pathNot: '^lambda/transports/' },
      to: { path: '^lambda/transports/(sagemaker|sagemaker-openai|openai-http)/' },
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
