import type { Container } from '../local/emulators/sagemaker-runtime.js';

/**
 * The benchmark's model: answers at once (non-streaming) or streams `tokens` chunks `delayMs` apart,
 * each carrying the moment it was sent (`@<epoch µs>`), so relay delay is measured per chunk.
 */
export const now = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

export function benchContainer(tokens: number, delayMs: number): Container {
  return (invocation) => {
    const body = JSON.parse(invocation.body.toString('utf8')) as { stream?: boolean };
    const head = '{"id":"b","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"';
    if (!(invocation.stream && body.stream)) {
      return {
        body: {
          id: 'b',
          object: 'chat.completion',
          created: 1,
          model: 'm',
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
        },
      };
    }
    async function* stream() {
      for (let i = 0; i < tokens; i++) {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        yield `data: ${head}t${i}@${now()} "},"finish_reason":null}]}\n\n`;
      }
      yield 'data: {"id":"b","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":8,"total_tokens":13}}\n\n';
      yield 'data: [DONE]\n\n';
    }
    return { stream: stream() };
  };
}
