import { connect } from 'node:net';
import { teiContainer } from '../../local/emulators/embedding-containers.js';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { fuzzRequest, prng, type Rng, rawCase } from '../support/fuzz-requests.js';
import { type Harness, startHarness } from '../support/harness.js';

/**
 * A bounded, deterministic fuzz run against the local server, so that whole classes of hostile input
 * stay answered: mutated chat and embeddings requests (structure, types, sizes, bytes, headers, URLs)
 * and raw-socket header abuse. Every answer must be a 4xx or 2xx, never a 5xx; every error must be
 * an OpenAI-shaped JSON body; every stream must end with [DONE]; nothing may hang. The seed is fixed,
 * so a failure reproduces; FUZZ_SEED and FUZZ_REQUESTS widen a local run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 15);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1000);
const RAW_REQUESTS = Math.round(REQUESTS / 8);
const MASTER = 'sk-master-fuzz-000000000000';
interface Outcome {
  what: string;
  status: number;
  problem?: string;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness(
    `models: [{name: chat, endpoint: chat}, {name: embed, endpoint: embed, dialect: tei}]\nauth: {master_key: ${MASTER}}`,
    (e) => {
      e.addEndpoint('chat', openAIChatContainer());
      e.addEndpoint('embed', teiContainer({ maxBatch: 64 }));
    },
  );
});
afterAll(() => h.close());

/** One mutated request through fetch; checks the answer's shape. */
async function fuzzOne(rng: Rng, index: number): Promise<Outcome> {
  const { method, path, headers, body } = fuzzRequest(rng, MASTER);
  const what = `#${index} ${method} ${path} ${body.subarray(0, 120).toString('latin1')}`;
  const res = await fetch(`${h.gateway.url}${path}`, {
    method,
    headers,
    body: method === 'GET' ? undefined : new Uint8Array(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  if (res.status >= 500) return { what, status: res.status, problem: `5xx: ${text.slice(0, 300)}` };
  if (type.startsWith('text/event-stream')) {
    return text.trimEnd().endsWith('data: [DONE]') ? { what, status: res.status } : { what, status: res.status, problem: 'stream without [DONE]' };
  }
  if (!type.includes('application/json')) return { what, status: res.status, problem: `content-type ${type}` };
  const parsed = JSON.parse(text);
  if (
    res.status >= 400 &&
    !(typeof parsed.error?.message === 'string' && 'type' in parsed.error && 'param' in parsed.error && 'code' in parsed.error)
  ) {
    return { what, status: res.status, problem: `not an OpenAI error: ${text.slice(0, 200)}` };
  }
  if (text.length > 4096 && res.status >= 400) return { what, status: res.status, problem: `error body of ${text.length} bytes` };
  return { what, status: res.status };
}

function sendRaw(bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const port = Number(new URL(h.gateway.url).port);
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes, 'latin1'));
    let out = '';
    const timer = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

async function rawOne(rng: Rng, index: number): Promise<Outcome> {
  const bytes = rawCase(rng, MASTER);
  const what = `raw #${index} ${JSON.stringify(bytes.slice(0, 160))}`;
  const answer = await sendRaw(bytes);
  // Skip interim 1xx answers (100 Continue).
  const final = answer.replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(final)?.[1] ?? 0);
  if (!status) return { what, status, problem: `no HTTP answer: ${JSON.stringify(answer.slice(0, 100))}` };
  if (status >= 500) return { what, status, problem: `5xx: ${final.slice(0, 300)}` };
  const headEnd = final.indexOf('\r\n\r\n');
  if (!/content-type: application\/json/i.test(final.slice(0, headEnd))) return { what, status, problem: `bare answer: ${final.slice(0, 200)}` };
  return { what, status };
}

it(`answers ${REQUESTS} mutated requests and ${RAW_REQUESTS} malformed ones (seed ${SEED}) with no 5xx, no hang, always a JSON error`, async () => {
  const rng = prng(SEED);
  const jobs: ((i: number) => Promise<Outcome>)[] = [];
  for (let i = 0; i < REQUESTS; i++) jobs.push((n) => fuzzOne(rng, n).catch((error) => ({ what: `#${n}`, status: 0, problem: String(error) })));
  for (let i = 0; i < RAW_REQUESTS; i++) jobs.push((n) => rawOne(rng, n));
  const outcomes: Outcome[] = [];
  let next = 0;
  // The generator is consumed in job order, so the cases are the same whatever the scheduling.
  const cases = jobs.map((job, i) => () => job(i));
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < cases.length; i = next++) outcomes.push(await cases[i]!());
    }),
  );
  const problems = outcomes.filter((o) => o.problem);
  expect(problems.slice(0, 10).map((p) => `${p.what}\n  -> ${p.status} ${p.problem}`)).toEqual([]);
  expect(outcomes).toHaveLength(REQUESTS + RAW_REQUESTS);
  // The run exercised both sides: answers and refusals.
  const statuses = new Set(outcomes.map((o) => o.status));
  expect(statuses).toContain(200);
  expect(statuses).toContain(400);
}, 120_000);
