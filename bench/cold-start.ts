/**
 * One cold start, in a fresh process: load the bundled Lambda handler under a stand-in for the
 * runtime (lambda-runtime-double.ts) and answer a first request. Prints {loadMs, firstRequestMs}.
 */
import { functionUrlEvent, installLambdaRuntime, lambdaContext, parseStreamed, ResponseStreamDouble } from './lambda-runtime-double.js';

const bundle = process.argv[2]!;
installLambdaRuntime();
const t0 = performance.now();
const { handler } = await import(bundle);
const t1 = performance.now();
const stream = new ResponseStreamDouble();
await handler(
  functionUrlEvent('POST', '/v1/chat/completions', {
    headers: { authorization: 'Bearer sk-bench', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hi' }] }),
  }),
  stream,
  lambdaContext(),
);
const t2 = performance.now();
const { prelude } = parseStreamed(stream.bytes);
console.log(JSON.stringify({ loadMs: t1 - t0, firstRequestMs: t2 - t1, status: prelude.statusCode }));
