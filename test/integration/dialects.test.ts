import { readFileSync } from 'node:fs';
import { parseConfig } from '../../config/load.js';
import type { ModelConfig } from '../../lambda/config/config.js';
import type { ChatDialectName } from '../../lambda/config/names.js';
import { chatDialects } from '../../lambda/dialects/index.js';
import { DataPayloads } from '../../lambda/streaming/data-payloads.js';
import { splitEvery } from '../../local/emulators/sagemaker-runtime.js';
import { jumpstartContainer, lmiContainer, tgiContainer } from '../../local/emulators/text-generation-containers.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/dialects/${name}`, import.meta.url));

/** Recorded container streams, with what a client must see from each. */
const STREAMS = [
  {
    file: 'tgi-generate.stream.sse',
    dialect: 'tgi-generate',
    text: '東京は日本の首都です。',
    finish: 'stop',
    usage: { prompt_tokens: 21, completion_tokens: 4 },
  },
  {
    file: 'lmi-rolling-batch.stream.jsonl',
    dialect: 'lmi-rolling-batch',
    text: 'Deep learning 🤖',
    finish: 'length',
    usage: { completion_tokens: 3 },
  },
  { file: 'lmi-rolling-batch.stream-async.jsonl', dialect: 'lmi-rolling-batch', text: 'Ça va', finish: 'stop', usage: { completion_tokens: 2 } },
  {
    file: 'openai-chat.stream-lmi.jsonl',
    dialect: 'openai-chat',
    text: 'Grüße, 世界',
    finish: 'stop',
    usage: { prompt_tokens: 7, completion_tokens: 3 },
  },
] as const;
const FAILING_STREAMS = [
  { file: 'tgi-generate.stream-error.sse', dialect: 'tgi-generate', text: 'Partial', error: 'CUDA out of memory' },
  { file: 'lmi-rolling-batch.stream-error.jsonl', dialect: 'lmi-rolling-batch', text: 'Hel', error: 'generation failed inside the container' },
] as const;

const modelFor = (dialect: ChatDialectName): ModelConfig =>
  parseConfig(`models: [{name: m, endpoint: e, dialect: ${dialect}${dialect === 'openai-chat' ? '' : ', chat_template: chatml'}}]`).models[0]!;

/** What the decoder makes of a byte stream cut into `parts`. */
async function decode(dialect: ChatDialectName, parts: Uint8Array[]) {
  const model = modelFor(dialect);
  const decoder = chatDialects[dialect](model).createStreamDecoder!();
  let text = '';
  let finish: string | null | undefined;
  let usage: object | undefined;
  try {
    const payloads = new DataPayloads();
    for (const payload of [...parts.flatMap((part) => payloads.push(part)), ...payloads.flush()]) {
      for (const event of decoder.decode(payload)) {
        if (event.type === 'usage') usage = event.usage;
        else {
          text += event.delta.content ?? '';
          finish = event.finishReason ?? finish;
        }
      }
    }
  } catch (error) {
    return { text, error: (error as Error).message };
  }
  return { text, finish, usage };
}

describe('recorded container streams, cut at every byte offset', () => {
  it.each(STREAMS)('$file decodes identically wherever a PayloadPart ends', async ({ file, dialect, text, finish, usage }) => {
    const bytes = fixture(file);
    for (let i = 0; i <= bytes.length; i++) {
      expect(await decode(dialect, [bytes.subarray(0, i), bytes.subarray(i)])).toEqual({ text, finish, usage: expect.objectContaining(usage) });
    }
  });

  it.each(FAILING_STREAMS)('$file reports the container error after the partial text', async ({ file, dialect, text, error }) => {
    const bytes = fixture(file);
    for (let i = 0; i <= bytes.length; i++) {
      const out = await decode(dialect, [bytes.subarray(0, i), bytes.subarray(i)]);
      expect(out.text).toBe(text);
      expect(out.error).toContain(error);
    }
  });
});

const CONFIG = `
models:
  - { name: tgi, endpoint: tgi-endpoint, dialect: tgi-generate, chat_template: chatml }
  - { name: lmi, endpoint: lmi-endpoint, dialect: lmi-rolling-batch, chat_template: llama3 }
  - { name: lmi-async, endpoint: lmi-async-endpoint, dialect: lmi-rolling-batch }
  - { name: lmi-failing, endpoint: lmi-failing-endpoint, dialect: lmi-rolling-batch }
  - { name: jumpstart, endpoint: jumpstart-endpoint, dialect: jumpstart-text, chat_template: plain }
  - { name: recorded-tgi-generate, endpoint: recorded-tgi-generate, dialect: tgi-generate }
  - { name: recorded-lmi-rolling-batch, endpoint: recorded-lmi-rolling-batch, dialect: lmi-rolling-batch }
  - { name: recorded-openai-chat, endpoint: recorded-openai-chat, dialect: openai-chat }
  - { name: answer-tgi, endpoint: answer-tgi, dialect: tgi-generate }
  - { name: answer-jumpstart, endpoint: answer-jumpstart, dialect: jumpstart-text }
  - { name: lmi-lenient, endpoint: lmi-endpoint, dialect: lmi-rolling-batch, drop_params: true }
`;

describe('every dialect through the official client, the real SDK and the SageMaker emulator', () => {
  let h: Harness;
  let recorded = '';
  let partSize = 0;
  let reply = 'Deep learning learns layered representations from data.';

  beforeAll(async () => {
    h = await startHarness(CONFIG, (e) => {
      e.addEndpoint('tgi-endpoint', tgiContainer({ reply: () => reply }));
      e.addEndpoint('lmi-endpoint', lmiContainer({ reply: () => reply }));
      e.addEndpoint('lmi-async-endpoint', lmiContainer({ reply: () => reply, asyncMode: true }));
      e.addEndpoint('lmi-failing-endpoint', lmiContainer({ reply: () => reply, failAfterTokens: 2 }));
      e.addEndpoint('jumpstart-endpoint', jumpstartContainer({ reply: () => reply }));
      e.addEndpoint('answer-tgi', () => ({ body: fixture('tgi-generate.response.json') }));
      e.addEndpoint('answer-jumpstart', () => ({ body: fixture('jumpstart-text.response.json') }));
      for (const dialect of ['tgi-generate', 'lmi-rolling-batch', 'openai-chat']) {
        e.addEndpoint(`recorded-${dialect}`, {
          container: () => ({ stream: [fixture(recorded)] }),
          split: (bytes) => (partSize ? splitEvery(partSize)(bytes) : [bytes]),
        });
      }
    });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    reply = 'Deep learning learns layered representations from data.';
  });

  const sent = () => JSON.parse(h.emulator.invocations.at(-1)!.body.toString());
  const chat = (model: string, extra: object = {}) =>
    h.client().chat.completions.create({
      model,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'What is DL?' },
      ],
      ...extra,
    });
  async function stream(model: string, extra: object = {}) {
    const s = await h.client().chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'What is DL?' }],
      stream: true,
      stream_options: { include_usage: true },
      ...extra,
    });
    let text = '';
    let finish;
    let usage;
    for await (const chunk of s) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    return { text, finish, usage };
  }

  it.each(STREAMS.flatMap((s) => [1, 0].map((size) => ({ ...s, size }))))(
    'relays $file in PayloadParts of $size bytes (0: whole)',
    async ({ file, dialect, text, finish, usage, size }) => {
      recorded = file;
      partSize = size;
      const out = await stream(`recorded-${dialect}`);
      expect(out.text).toBe(text);
      expect(out.finish).toBe(finish);
      expect(out.usage).toMatchObject(usage);
    },
  );

  it.each(FAILING_STREAMS)('raises the container error of $file in the official client', async ({ file, dialect, text, error }) => {
    recorded = file;
    partSize = 1;
    let seen = '';
    const s = await h.client().chat.completions.create({ model: `recorded-${dialect}`, messages: [{ role: 'user', content: 'x' }], stream: true });
    await expect(
      (async () => {
        for await (const chunk of s) seen += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow(error);
    expect(seen).toBe(text);
  });

  it.each([
    ['answer-tgi', '東京は日本の首都です。', 9],
    ['answer-jumpstart', 'Paris is the capital of France.', undefined],
  ])('reads the recorded whole answer of %s', async (model, text, completionTokens) => {
    const res = await h.post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'x' }] });
    const body = await res.json();
    expect(body.choices[0]).toMatchObject({ message: { role: 'assistant', content: text }, finish_reason: 'stop' });
    if (completionTokens) expect(body.usage.completion_tokens).toBe(completionTokens);
    expect(res.headers.get('x-sagegate-usage')).toBe('estimated');
  });

  describe('TGI generate', () => {
    it('renders the chat template and maps the sampling parameters (temperature 0 is greedy)', async () => {
      const completion = await chat('tgi', { temperature: 0, max_tokens: 50, stop: ['END'], seed: 7, top_p: 0.9 });
      expect(sent()).toEqual({
        inputs: '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is DL?<|im_end|>\n<|im_start|>assistant\n',
        parameters: { details: true, max_new_tokens: 50, do_sample: false, stop: ['END'], seed: 7, return_full_text: false },
        stream: false,
      });
      expect(completion.choices[0]!.message.content).toBe(reply);
      expect(completion.usage?.completion_tokens).toBe(8);
    });

    it('samples when temperature is positive, and leaves out top_p of 1', async () => {
      await chat('tgi', { temperature: 0.7, top_p: 1 });
      expect(sent().parameters).toEqual({ details: true, temperature: 0.7, do_sample: true, return_full_text: false });
    });

    it('streams tokens without the special end token, with usage from the last event', async () => {
      expect(await stream('tgi')).toEqual({
        text: reply,
        finish: 'stop',
        usage: { prompt_tokens: expect.any(Number), completion_tokens: 8, total_tokens: expect.any(Number) },
      });
    });

    it('says when usage is estimated', async () => {
      const res = await h.post('/v1/chat/completions', { model: 'tgi', messages: [{ role: 'user', content: 'x' }] });
      expect(res.headers.get('x-sagegate-usage')).toBe('estimated');
    });

    it('removes the stop sequence TGI leaves in the text, streaming or not', async () => {
      reply = 'one two STOP three four';
      const completion = await chat('tgi', { stop: 'STOP' });
      expect(completion.choices[0]).toMatchObject({ message: { content: 'one two ' }, finish_reason: 'stop' });
      expect(await stream('tgi', { stop: ['STOP'] })).toMatchObject({ text: 'one two ', finish: 'stop' });
    });

    it('passes non-ASCII text through byte-split streams', async () => {
      reply = 'Привет, 世界! Ça va? 🌍';
      expect((await stream('tgi')).text).toBe(reply);
    });

    it("answers the container's validation error as a 400 with its message", async () => {
      await expect(chat('tgi', { max_tokens: 5000 })).rejects.toMatchObject({
        status: 400,
        message: expect.stringContaining('`max_new_tokens` must be <= 4096'),
      });
    });

    it('refuses tools where the template renders none, and n > 1, instead of dropping them', async () => {
      const tools = [{ type: 'function' as const, function: { name: 'f', parameters: {} } }];
      await expect(chat('jumpstart', { tools })).rejects.toMatchObject({ status: 400, param: 'tools' });
      await expect(chat('tgi', { n: 2 })).rejects.toMatchObject({ status: 400, param: 'n' });
    });

    it('asks for a JSON grammar when response_format is json_object', async () => {
      await chat('tgi', { response_format: { type: 'json_object' } });
      expect(sent().parameters.grammar).toEqual({ type: 'json', value: { type: 'object' } });
    });
  });

  describe('LMI rolling batch', () => {
    it('sends stop_sequences and the Llama 3 prompt, and reads the whole answer', async () => {
      const completion = await chat('lmi', { max_tokens: 3, stop: ['\n\n'] });
      expect(sent()).toMatchObject({
        inputs: expect.stringMatching(/^<\|begin_of_text\|>.*<\|start_header_id\|>assistant<\|end_header_id\|>\n\n$/s),
        parameters: { max_new_tokens: 3, stop_sequences: ['\n\n'] },
      });
      expect(completion.choices[0]).toMatchObject({ message: { content: 'Deep learning learns' }, finish_reason: 'length' });
    });

    it('streams JSON lines, with log_prob or (async mode) logprob', async () => {
      expect(await stream('lmi')).toMatchObject({ text: reply, finish: 'stop', usage: { completion_tokens: 7 } });
      expect(await stream('lmi-async')).toMatchObject({ text: reply, finish: 'stop' });
    });

    it('turns the error line after HTTP 200 into an error event', async () => {
      await expect(stream('lmi-failing')).rejects.toThrow('generation failed inside the container');
    });
  });

  describe('parameters a container cannot honour', () => {
    it.each([
      ['jumpstart', { presence_penalty: 0.5 }, 'presence_penalty'],
      ['jumpstart', { frequency_penalty: 0.5 }, 'frequency_penalty'],
      ['lmi', { response_format: { type: 'json_object' } }, 'response_format'],
      ['lmi', { logprobs: true }, 'logprobs'],
      ['tgi', { presence_penalty: 1 }, 'presence_penalty'],
      ['tgi', { logit_bias: { '42': 5 } }, 'logit_bias'],
      ['jumpstart', { tool_choice: 'none' }, 'tool_choice'],
    ])('%s refuses %j with a 400 naming it', async (model, extra, param) => {
      const calls = h.emulator.invocations.length;
      const error = await errorOf(chat(model, extra));
      expect(error).toMatchObject({ status: 400, param, code: 'unsupported_parameter' });
      expect(error.message).toContain('drop_params');
      expect(h.emulator.invocations.length).toBe(calls);
    });

    it('passes what the container honours (LMI takes presence_penalty) and ignores nulls and informational fields', async () => {
      await chat('lmi', { presence_penalty: 0.5, logprobs: null, user: 'u-1', metadata: { team: 'a' } });
      expect(sent().parameters).toMatchObject({ presence_penalty: 0.5 });
    });

    it('drops them instead when the model says drop_params', async () => {
      const completion = await chat('lmi-lenient', { response_format: { type: 'json_object' }, logprobs: true, max_tokens: 4 });
      expect(completion.choices[0]!.message.content).toBe('Deep learning learns layered');
      expect(sent().parameters).not.toHaveProperty('response_format');
      expect(sent().parameters).not.toHaveProperty('logprobs');
    });
  });

  describe('JumpStart text', () => {
    it('sends text_inputs and reads generated_texts, one choice per sequence', async () => {
      const completion = await chat('jumpstart', { n: 2, max_tokens: 20 });
      expect(sent()).toEqual({ text_inputs: 'system: Be brief.\nuser: What is DL?\nassistant:', max_new_tokens: 20, num_return_sequences: 2 });
      expect(completion.choices.map((c) => c.message.content)).toEqual([`${reply} (1)`, `${reply} (2)`]);
    });

    it('streams an answer the container cannot stream, with estimated usage said so', async () => {
      const res = await h.post('/v1/chat/completions', {
        model: 'jumpstart',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.headers.get('x-sagegate-usage')).toBe('estimated');
      expect(h.emulator.invocations.at(-1)!.stream).toBe(false);
      expect(await stream('jumpstart')).toMatchObject({ text: reply, finish: 'stop', usage: { completion_tokens: expect.any(Number) } });
    });
  });
});
