import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A failure the next Messages request meets: Anthropic's status and error type. */
export interface AnthropicFailure {
  status: number;
  type: string;
  message: string;
  /** After this many events of a stream (the status is 200 then, and the failure an `error` event). */
  afterEvents?: number;
}

/**
 * Anthropic's own Messages API as its reference describes it (docs/wire-facts.md §13), on plain
 * HTTP: `POST /v1/messages` with `x-api-key` and `anthropic-version`, whole messages and streams of
 * named events with usage (cache counts included when a block asks for caching), and errors in
 * Anthropic's shape. It answers with the words of `reply`, or with a `tool_use` of the first tool
 * when the last user turn asks for one ("use a tool").
 */
export class AnthropicApiEmulator {
  readonly requests: { path: string; headers: IncomingHttpHeaders; body: Record<string, unknown> }[] = [];
  private readonly failures: AnthropicFailure[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly apiKey: string,
    private readonly reply = 'Hello from the hosted model.',
  ) {}

  /** The next request fails so. */
  failNext(failure: AnthropicFailure): void {
    this.failures.push(failure);
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const error = (status: number, type: string, message: string) => {
          res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_emulated' });
          res.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_emulated' }));
        };
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return error(400, 'invalid_request_error', 'The request body is not valid JSON.');
        }
        const path = (req.url ?? '').split('?')[0]!;
        this.requests.push({ path, headers: req.headers, body });
        if (req.method !== 'POST' || path !== '/v1/messages') return error(404, 'not_found_error', `Not found: ${path}`);
        if (req.headers['x-api-key'] !== this.apiKey) return error(401, 'authentication_error', 'invalid x-api-key');
        if (!req.headers['anthropic-version']) return error(400, 'invalid_request_error', 'anthropic-version: header is required');
        if (typeof body.max_tokens !== 'number') return error(400, 'invalid_request_error', 'max_tokens: Field required');
        const failure = this.failures.shift();
        if (failure && failure.afterEvents === undefined) return error(failure.status, failure.type, failure.message);
        const events = this.events(body);
        if (body.stream !== true) {
          res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_emulated' });
          return res.end(JSON.stringify(messageOf(events)));
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': 'req_emulated' });
        for (const [i, event] of events.entries()) {
          if (failure && i === failure.afterEvents) {
            res.write(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: failure.type, message: failure.message } })}\n\n`);
            return res.end();
          }
          res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
          await new Promise((r) => setImmediate(r));
        }
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The stream's events for a request (a whole message is built from the same). */
  private events(body: Record<string, unknown>): Record<string, unknown>[] {
    const text = JSON.stringify(body.messages ?? []);
    const input = Math.ceil(text.length / 4);
    const cached = text.includes('"cache_control"') ? input : 0;
    const tools = (body.tools as { name: string }[] | undefined) ?? [];
    const useTool = tools.length > 0 && /use a tool/i.test(lastUserText(body));
    const words = this.reply.split(' ').map((w, i) => (i ? ` ${w}` : w));
    const output = useTool ? 12 : words.length;
    const usage = { input_tokens: input - cached, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: cached };
    const events: Record<string, unknown>[] = [
      {
        type: 'message_start',
        message: {
          id: 'msg_emulated01',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage,
        },
      },
    ];
    if (useTool) {
      events.push(
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_emulated01', name: tools[0]!.name, input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city": ' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '"Paris"}' } },
      );
    } else {
      events.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, { type: 'ping' });
      for (const word of words) events.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: word } });
    }
    events.push(
      { type: 'content_block_stop', index: 0 },
      {
        type: 'message_delta',
        delta: { stop_reason: useTool ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { ...usage, output_tokens: output },
      },
      { type: 'message_stop' },
    );
    return events;
  }
}

function lastUserText(body: Record<string, unknown>): string {
  const messages = (body.messages as { role: string; content: unknown }[] | undefined) ?? [];
  const last = [...messages].reverse().find((m) => m.role === 'user');
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
}

/** The whole message the events describe. */
function messageOf(events: Record<string, unknown>[]): Record<string, unknown> {
  const start = events[0]!.message as Record<string, unknown>;
  const delta = events.find((e) => e.type === 'message_delta') as { delta: Record<string, unknown>; usage: unknown };
  const block = (events.find((e) => e.type === 'content_block_start') as { content_block: Record<string, unknown> }).content_block;
  const parts = events.filter((e) => e.type === 'content_block_delta').map((e) => e.delta as Record<string, string>);
  const content =
    block.type === 'tool_use'
      ? { ...block, input: JSON.parse(parts.map((p) => p.partial_json).join('')) }
      : { type: 'text', text: parts.map((p) => p.text).join('') };
  return { ...start, content: [content], ...delta.delta, usage: delta.usage };
}
