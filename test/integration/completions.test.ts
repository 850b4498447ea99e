import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { OpenAIUpstreamEmulator } from '../../local/emulators/openai-upstream.js';
import { splitEvery } from '../../local/emulators/sagemaker-runtime.js';
import { jumpstartContainer, lmiContainer, tgiContainer } from '../../local/emulators/text-generation-containers.js';
import { errorOf, type Harness, startHarness } from '../support/harness.js';

const continuation = (prompt: string) => `${prompt.length} characters later, the code goes on.`;

describe('POST /v1/completions (legacy)', () => {
  let h: Harness;
  let upstream: OpenAIUpstreamEmulator;
  beforeAll(async () => {
    upstream = new OpenAIUpstreamEmulator(openAIChatContainer({ reply: continuation }));
    const url = await upstream.start();
    h = await startHarness(
      `
models:
  - { name: vllm, endpoint: vllm }
  - { name: coder, endpoint: vllm, served_model_name: Qwen/Qwen2.5-Coder-7B }
  - { name: tgi, endpoint: tgi, dialect: tgi-generate, chat_template: chatml }
  - { name: starcoder-tgi, endpoint: tgi, dialect: tgi-generate, fim: starcoder }
  - { name: lmi, endpoint: lmi, dialect: lmi-rolling-batch }
  - { name: jumpstart, endpoint: jumpstart, dialect: jumpstart-text }
  - { name: upstream, provider: openai, base_url: "${url}", model: m }
  - { name: embed, endpoint: embed, dialect: tei }
`,
      (e) => {
        e.addEndpoint('vllm', openAIChatContainer({ reply: continuation }));
        e.addEndpoint('tgi', { container: tgiContainer({ reply: continuation }), split: splitEvery(1) });
        e.addEndpoint('lmi', lmiContainer({ reply: continuation }));
        e.addEndpoint('jumpstart', jumpstartContainer({ reply: continuation }));
      },
    );
  });
  afterAll(async () => {
    await h.close();
    await upstream.stop();
  });

  const sent = () => JSON.parse(h.emulator.invocations.at(-1)!.body.toString());

  it.each(['vllm', 'tgi', 'lmi', 'jumpstart', 'upstream'])('%s: the raw prompt, whole and streamed', async (model) => {
    const prompt = 'def fib(n):';
    const whole = await h.client().completions.create({ model, prompt, max_tokens: 50 });
    expect(whole).toMatchObject({ object: 'text_completion', model, choices: [{ index: 0, text: continuation(prompt), finish_reason: 'stop' }] });
    expect(whole.usage).toMatchObject({ completion_tokens: expect.any(Number), prompt_tokens: expect.any(Number) });
    const stream = await h.client().completions.create({ model, prompt, max_tokens: 50, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('text_completion');
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect({ text, finish }).toEqual({ text: continuation(prompt), finish: 'stop' });
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it('sends the prompt untemplated: TGI `inputs`, vLLM `prompt` (with its served name)', async () => {
    await h.client().completions.create({ model: 'tgi', prompt: 'x = 1', max_tokens: 5, stop: ['\n\n'] });
    expect(sent()).toMatchObject({ inputs: 'x = 1', parameters: { max_new_tokens: 5, stop: ['\n\n'] } });
    await h.client().completions.create({ model: 'coder', prompt: 'x = 1' });
    expect(sent()).toMatchObject({ prompt: 'x = 1', model: 'Qwen/Qwen2.5-Coder-7B' });
  });

  it('renders suffix in the model’s fill-in-the-middle format, and refuses it where there is none', async () => {
    await h.client().completions.create({ model: 'coder', prompt: 'def add(a, b):\n', suffix: '\nprint(add(1, 2))' });
    expect(sent().prompt).toBe('<|fim_prefix|>def add(a, b):\n<|fim_suffix|>\nprint(add(1, 2))<|fim_middle|>');
    expect(sent()).not.toHaveProperty('suffix');
    await h.client().completions.create({ model: 'starcoder-tgi', prompt: 'a', suffix: 'b' });
    expect(sent().inputs).toBe('<fim_prefix>a<fim_suffix>b<fim_middle>');
    const error = await errorOf(h.client().completions.create({ model: 'vllm', prompt: 'a', suffix: 'b' }));
    expect(error).toMatchObject({ status: 400, param: 'suffix', code: 'unsupported_parameter' });
    // An OpenAI-compatible upstream decides for itself (this one, like vLLM, refuses).
    await expect(h.client().completions.create({ model: 'upstream', prompt: 'a', suffix: 'b' })).rejects.toMatchObject({ status: 400 });
    expect(upstream.requests.at(-1)!.body).toMatchObject({ suffix: 'b' });
  });

  it('echo puts the prompt before the text; the default length is 16 tokens', async () => {
    const whole = await h.client().completions.create({ model: 'tgi', prompt: 'Once', echo: true });
    expect(whole.choices[0]!.text.startsWith('Once')).toBe(true);
    expect(sent().parameters.max_new_tokens).toBe(16);
  });

  it('refuses what a prompt-string container cannot do, naming it', async () => {
    await expect(h.client().completions.create({ model: 'tgi', prompt: ['a', 'b'] })).rejects.toMatchObject({ status: 400, param: 'prompt' });
    await expect(h.client().completions.create({ model: 'tgi', prompt: 'a', logprobs: 2 })).rejects.toMatchObject({ status: 400, param: 'logprobs' });
    await expect(h.client().completions.create({ model: 'embed', prompt: 'a' })).rejects.toMatchObject({ status: 400, param: 'model' });
  });
});
