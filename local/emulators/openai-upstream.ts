import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Container } from './sagemaker-runtime.js';

/**
 * An OpenAI-compatible server (vLLM or TGI on EC2/EKS, an on-premise server, a hosted provider) on
 * plain HTTP: `POST /v1/chat/completions` and `/v1/completions` (and `/v1/embeddings` when given an embedding container),
 * Bearer keys, SSE streams, errors with their own status.
 */
export class OpenAIUpstreamEmulator {
  readonly requests: { body: unknown; authorization?: string }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly container: Container,
    private readonly apiKey?: string,
    private readonly embeddings?: Container,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        let parsed: { stream?: boolean } = {};
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          // the container answers malformed JSON itself
        }
        this.requests.push({ body: parsed, authorization: req.headers.authorization });
        const chat = req.url === '/v1/chat/completions' || req.url === '/v1/completions';
        const container = chat ? this.container : req.url === '/v1/embeddings' ? this.embeddings : undefined;
        if (req.method !== 'POST' || !container) {
          res.writeHead(404, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ error: { message: `Unknown route ${req.url}`, type: 'invalid_request_error', code: null } }));
        }
        if (this.apiKey && req.headers.authorization !== `Bearer ${this.apiKey}`) {
          res.writeHead(401, { 'content-type': 'application/json' });
          return res.end(
            JSON.stringify({ error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' } }),
          );
        }
        const reply = await container({ endpoint: 'upstream', stream: parsed.stream === true, body, headers: req.headers });
        if ('stream' in reply) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for await (const item of reply.stream) {
            if (typeof item === 'object' && 'delayMs' in item) await new Promise((r) => setTimeout(r, item.delayMs));
            else if (typeof item === 'string' || item instanceof Uint8Array) res.write(item);
          }
          return res.end();
        }
        res.writeHead(reply.status ?? 200, { 'content-type': reply.contentType ?? 'application/json' });
        res.end(typeof reply.body === 'string' || reply.body instanceof Uint8Array ? reply.body : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
