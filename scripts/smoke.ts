/**
 * `npm run smoke -- --url <function-url> --key <key> [--model m] [--vision-model v] [--embedding-model e]`
 * Checks a deployed gateway the way clients use it, with the official openai client: models, a chat,
 * a stream that really streams (first chunk well before the last) and ends with usage and [DONE],
 * an image for the vision model, embeddings from the embedding model, and a wrong key refused.
 * Prints a report; exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import OpenAI from 'openai';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    key: { type: 'string' },
    model: { type: 'string' },
    'vision-model': { type: 'string' },
    'embedding-model': { type: 'string' },
    timeout: { type: 'string', default: '120' },
  },
});
if (!values.url || !values.key) {
  console.error('usage: npm run smoke -- --url <function-url> --key <api-key> [--model <name>] [--vision-model <name>] [--embedding-model <name>]');
  process.exit(2);
}

const baseURL = `${values.url.replace(/\/+$/, '').replace(/\/v1$/, '')}/v1`;
const timeout = Number(values.timeout) * 1000;

/** A fetch that keeps each streamed body's raw text and chunk arrival times, which the SDK hides. */
const recorded: { text: string; arrivals: number[] }[] = [];
const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return response;
  const record = { text: '', arrivals: [] as number[] };
  recorded.push(record);
  const decoder = new TextDecoder();
  const tee = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        record.arrivals.push(performance.now());
        record.text += decoder.decode(chunk, { stream: true });
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(tee, { status: response.status, statusText: response.statusText, headers: response.headers });
};

const client = new OpenAI({ baseURL, apiKey: values.key, maxRetries: 1, timeout, fetch: recordingFetch });
const results: { name: string; ok: boolean; detail: string; ms: number }[] = [];

async function check(name: string, run: () => Promise<string>): Promise<void> {
  const started = performance.now();
  try {
    const detail = await run();
    results.push({ name, ok: true, detail, ms: performance.now() - started });
  } catch (error) {
    results.push({ name, ok: false, detail: (error as Error).message, ms: performance.now() - started });
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

let model = values.model;

await check('list models', async () => {
  const models = (await client.models.list()).data.map((m) => m.id);
  assert(models.length > 0, 'no models listed');
  if (model) assert(models.includes(model), `model ${model} is not listed (${models.join(', ')})`);
  model ??= models[0]!;
  return `${models.length} model(s): ${models.join(', ')}`;
});

await check('chat (not streaming)', async () => {
  assert(model, 'no model to call');
  const completion = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Reply with one short sentence.' }],
    max_tokens: 32,
  });
  assert(completion.object === 'chat.completion', `object is ${completion.object}`);
  assert(completion.model === model, `model is ${completion.model}, not ${model}`);
  const text = completion.choices[0]?.message.content ?? '';
  assert(text.length > 0, 'empty answer');
  assert(completion.usage && completion.usage.total_tokens > 0, 'no usage');
  return `${completion.usage.completion_tokens} tokens: ${JSON.stringify(text.slice(0, 60))}`;
});

await check('chat (streaming)', async () => {
  assert(model, 'no model to call');
  const started = performance.now();
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: 'Count from one to twenty in words, one per line.' }],
    max_tokens: 96,
    stream: true,
    stream_options: { include_usage: true },
  });
  let chunks = 0;
  let text = '';
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    chunks++;
    text += chunk.choices[0]?.delta.content ?? '';
    usage = chunk.usage ?? usage;
  }
  const raw = recorded.at(-1);
  assert(raw, 'the response was not an event stream');
  assert(raw.text.endsWith('data: [DONE]\n\n'), 'the stream did not end with data: [DONE]');
  assert(usage, 'no usage chunk although stream_options.include_usage was set');
  assert(text.length > 0, 'no text streamed');
  const first = raw.arrivals[0]! - started;
  const last = raw.arrivals.at(-1)! - started;
  // Buffered responses arrive in one burst at the end; real streaming spreads over the generation.
  assert(
    raw.arrivals.length >= 3 && last - first >= 0.2 * last,
    `not streamed: ${raw.arrivals.length} network chunks, first at ${first.toFixed(0)} ms, last at ${last.toFixed(0)} ms`,
  );
  return `${chunks} chunks; first byte at ${first.toFixed(0)} ms, last at ${last.toFixed(0)} ms; usage ${usage.total_tokens} tokens; [DONE]`;
});

if (values['vision-model']) {
  const visionModel = values['vision-model'];
  await check('image to the vision model', async () => {
    // A 10x10 image, as vision users send: the gateway must fit it to the model.
    const { default: sharp } = await import('sharp');
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: { r: 220, g: 20, b: 60 } } })
      .png()
      .toBuffer();
    const completion = await client.chat.completions.create({
      model: visionModel,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What colour is this image?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
      ],
      max_tokens: 32,
    });
    const text = completion.choices[0]?.message.content ?? '';
    assert(text.length > 0, 'empty answer');
    return JSON.stringify(text.slice(0, 60));
  });
}

if (values['embedding-model']) {
  const embeddingModel = values['embedding-model'];
  await check('embeddings', async () => {
    // The SDK asks for base64 by default and decodes it: both ends of that must agree.
    const result = await client.embeddings.create({ model: embeddingModel, input: ['sagegate smoke test', 'a second input'] });
    assert(result.data.length === 2 && result.data.every((d, i) => d.index === i), `expected 2 vectors in order, got ${result.data.length}`);
    const [a, b] = result.data.map((d) => d.embedding);
    assert(a!.length > 0 && a!.length === b!.length && a!.every(Number.isFinite), 'vectors are empty, uneven or not numbers');
    return `2 vectors of ${a!.length} dimensions; usage ${result.usage.prompt_tokens} tokens`;
  });
}

await check('wrong key refused', async () => {
  const wrong = new OpenAI({ baseURL, apiKey: 'sk-sg-wrong-key-for-the-smoke-test', maxRetries: 0, timeout });
  try {
    await wrong.models.list();
  } catch (error) {
    assert(error instanceof OpenAI.AuthenticationError, `expected 401, got ${(error as { status?: number }).status ?? (error as Error).message}`);
    return '401 invalid_api_key';
  }
  throw new Error('a wrong key was accepted');
});

for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(28)} ${r.ms.toFixed(0).padStart(6)} ms  ${r.detail}`);
const failed = results.filter((r) => !r.ok).length;
console.log(`\nsmoke ${baseURL}: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
