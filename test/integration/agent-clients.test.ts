import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { Agent, OpenAIChatCompletionsModel, OpenAIResponsesModel, run, setTracingDisabled, tool } from '@openai/agents';
import { tool as aiTool, generateText, stepCountIs, streamText } from 'ai';
import OpenAI7 from 'openai7';
import { z } from 'zod';
import { type ChildServer, startServer, stopServers } from '../support/child-server.js';

/**
 * The clients people run against the README's demo (`npm start`), as they run them: Codex CLI
 * (`codex exec` with a custom provider), the OpenAI Agents SDK (both model classes), LangChain and
 * the Vercel AI SDK. The demo model calls an offered tool when the message names it (or asks to run
 * a command), and reports the tool's result after it.
 */
const codex = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
const DEMO = 'Hello from the sagegate demo model (a stand-in, not a real LLM).';

let server: ChildServer;
beforeAll(async () => {
  setTracingDisabled(true);
  server = await startServer([]);
});
afterAll(stopServers);

/** `codex exec` with its own CODEX_HOME pointed at the gateway; the run is bounded in time. */
async function codexExec(prompt: string, extra: string[] = []): Promise<{ code: number | null; output: string }> {
  const home = mkdtempSync(join(tmpdir(), 'sagegate-codex-home-'));
  const work = mkdtempSync(join(tmpdir(), 'sagegate-codex-work-'));
  writeFileSync(
    join(home, 'config.toml'),
    [
      'model = "sagegate-demo"',
      'model_provider = "sagegate"',
      '[model_providers.sagegate]',
      'name = "sagegate"',
      `base_url = "${server.url}/v1"`,
      'env_key = "SAGEGATE_API_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
    ].join('\n'),
  );
  const child = spawn(codex, ['exec', '--skip-git-repo-check', ...extra, prompt], {
    cwd: work,
    env: { ...process.env, CODEX_HOME: home, SAGEGATE_API_KEY: 'demo', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d));
  child.stderr.on('data', (d: Buffer) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, output };
}

const describeCodex = existsSync(codex) ? describe : describe.skip;
describeCodex('Codex CLI (wire_api = "responses")', () => {
  it('answers a prompt', async () => {
    const { code, output } = await codexExec('say hi');
    expect(output).toContain(`${DEMO} You said: "say hi"`);
    expect(code).toBe(0);
  }, 120_000);

  it('runs a command through its exec tool and answers with the result', async () => {
    const { code, output } = await codexExec('run `echo hello-from-codex`', ['-s', 'workspace-write']);
    expect(output).toContain('The tool returned');
    expect(output).toContain('hello-from-codex');
    expect(code).toBe(0);
  }, 120_000);
});

describe('OpenAI Agents SDK', () => {
  const client = () => new OpenAI7({ baseURL: `${server.url}/v1`, apiKey: 'demo', maxRetries: 0 });
  const models = {
    responses: () => new OpenAIResponsesModel(client() as never, 'sagegate-demo'),
    'chat completions': () => new OpenAIChatCompletionsModel(client() as never, 'sagegate-demo'),
  };

  describe.each(Object.keys(models) as (keyof typeof models)[])('%s model', (kind) => {
    it.each([false, true])('runs an agent with a tool to its final answer (stream: %s)', async (stream) => {
      const calls: unknown[] = [];
      const getWeather = tool({
        name: 'get_weather',
        description: 'The weather in a city',
        parameters: z.object({ city: z.string() }),
        execute: async (input) => {
          calls.push(input);
          return `Sunny in ${input.city}`;
        },
      });
      const agent = new Agent({ name: 'Assistant', instructions: 'Use your tools.', model: models[kind](), tools: [getWeather] });
      const prompt = 'What is the weather in Paris? Use get_weather.';
      let finalOutput: unknown;
      if (stream) {
        const result = await run(agent, prompt, { stream: true });
        let text = '';
        for await (const event of result.toTextStream()) text += event;
        await result.completed;
        finalOutput = result.finalOutput;
        expect(text).toContain('Sunny in Paris');
      } else {
        finalOutput = (await run(agent, prompt)).finalOutput;
      }
      expect(calls).toEqual([{ city: 'Paris' }]);
      expect(finalOutput).toContain('The tool returned: "Sunny in Paris"');
    });

    it('answers without tools', async () => {
      const agent = new Agent({ name: 'Assistant', model: models[kind]() });
      expect((await run(agent, 'hi')).finalOutput).toBe(`${DEMO} You said: "hi"`);
    });
  });
});

describe('LangChain ChatOpenAI', () => {
  const chat = () => new ChatOpenAI({ model: 'sagegate-demo', apiKey: 'demo', configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 });

  it('invokes and streams', async () => {
    expect((await chat().invoke('hi')).content).toBe(`${DEMO} You said: "hi"`);
    let text = '';
    for await (const chunk of await chat().stream('hi')) text += chunk.content;
    expect(text).toBe(`${DEMO} You said: "hi"`);
  });

  it('talks to /v1/responses too (useResponsesApi)', async () => {
    const responses = new ChatOpenAI({
      model: 'sagegate-demo',
      apiKey: 'demo',
      configuration: { baseURL: `${server.url}/v1` },
      maxRetries: 0,
      useResponsesApi: true,
    });
    const message = await responses.invoke('hi');
    expect(message.text).toBe(`${DEMO} You said: "hi"`);
  });

  it('gets a tool call', async () => {
    const withTools = chat().bindTools([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ]);
    const message = await withTools.invoke('What is the weather in Paris? Use get_weather.');
    expect(message.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { city: 'Paris' } })]);
  });
});

describe('Vercel AI SDK (OpenAI-compatible provider)', () => {
  const provider = () => createOpenAICompatible({ name: 'sagegate', baseURL: `${server.url}/v1`, apiKey: 'demo', includeUsage: true });

  it('generates and streams text', async () => {
    const { text, usage } = await generateText({ model: provider()('sagegate-demo'), prompt: 'hi', maxRetries: 0 });
    expect(text).toBe(`${DEMO} You said: "hi"`);
    expect(usage.outputTokens).toBeGreaterThan(0);
    const result = streamText({ model: provider()('sagegate-demo'), prompt: 'hi', maxRetries: 0 });
    let streamed = '';
    for await (const part of result.textStream) streamed += part;
    expect(streamed).toBe(`${DEMO} You said: "hi"`);
  });

  it('runs a tool round trip', async () => {
    const { text, steps } = await generateText({
      model: provider()('sagegate-demo'),
      prompt: 'What is the weather in Paris? Use get_weather.',
      tools: {
        get_weather: aiTool({ description: 'Weather', inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => `Sunny in ${city}` }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(steps[0]!.toolCalls).toEqual([expect.objectContaining({ toolName: 'get_weather', input: { city: 'Paris' } })]);
    expect(text).toContain('The tool returned: "Sunny in Paris"');
  });
});
