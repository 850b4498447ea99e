import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { openAIChatContainer } from '../../local/emulators/openai-chat-container.js';
import { SageMakerRuntimeEmulator } from '../../local/emulators/sagemaker-runtime.js';
import { environmentCredentials } from '../../local/emulators/sigv4-check.js';
import { type ChildServer, logRecords, startServer, stopServers } from '../support/child-server.js';

/**
 * HTTP itself misused, against `npm start -- --config` as a process: malformed requests that Node's
 * parser refuses still get an OpenAI-shaped answer, and a client that leaves mid-upload is logged as
 * a client abort, not as the gateway's failure.
 */
const MASTER = 'sk-master-hostile-http-0000';
let emulator: SageMakerRuntimeEmulator;
let server: ChildServer;
let port: number;

beforeAll(async () => {
  emulator = new SageMakerRuntimeEmulator(undefined, environmentCredentials()).addEndpoint('e', openAIChatContainer());
  await emulator.start();
  const configFile = `${mkdtempSync('/tmp/sagegate-http-')}/config.yaml`;
  writeFileSync(configFile, `models: [{name: chat, endpoint: e}]\nauth: {master_key: ${MASTER}}\n`);
  server = await startServer(['--config', configFile], { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: emulator.url, SAGEGATE_SILENT: '0' });
  port = Number(new URL(server.url).port);
}, 60_000);

afterAll(async () => {
  stopServers();
  await emulator.stop();
});

/** Sends raw bytes and reads until the server closes (or 3 s pass). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let out = '';
    socket.on('data', (d) => {
      out += d.toString('latin1');
    });
    socket.on('close', () => resolve(out));
    socket.on('error', (error) => (out ? resolve(out) : reject(error)));
    setTimeout(() => socket.destroy(), 3000);
  });
}

function parse(answer: string): { status: number; headers: string; error: Record<string, unknown> } {
  const split = answer.indexOf('\r\n\r\n');
  const headers = answer.slice(0, split);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]);
  return { status, headers, error: JSON.parse(answer.slice(split + 4)).error };
}

const chat = '{"model":"chat","messages":[{"role":"user","content":"x"}]}';

it.each([
  ['a NUL in a header value', `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\n{}`, 400],
  ['a bare CR in a header value', `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\n{}`, 400],
  ['a duplicate Content-Length', `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`, 400],
  ['a negative Content-Length', `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}`, 400],
  [
    'Content-Length with Transfer-Encoding',
    'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    400,
  ],
  ['headers over 16 KB', `GET /v1/models HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  [
    'a bad chunk size',
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n`,
    400,
  ],
  ['an invalid Host header', 'GET /v1/models HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n', 400],
  ['an invalid method', 'G@T /v1/models HTTP/1.1\r\nHost: x\r\n\r\n', 400],
])('answers %s with an OpenAI-shaped error', async (_name, request, status) => {
  const answer = parse(await raw(request));
  expect(answer.status).toBe(status);
  expect(answer.headers).toMatch(/content-type: application\/json/i);
  expect(Object.keys(answer.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(answer.error.type).toBe('invalid_request_error');
});

it('keeps serving after malformed requests, on new connections', async () => {
  const answer = await raw(
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nContent-Length: ${chat.length}\r\nConnection: close\r\n\r\n${chat}`,
  );
  expect(answer).toMatch(/^HTTP\/1\.1 200/);
});

it('logs a client that leaves mid-upload as a 499 client abort, not as an error', async () => {
  const before = logRecords(server.output()).length;
  await new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${MASTER}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"model":"chat","messages":[`,
      );
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200);
    });
  });
  let records: Record<string, unknown>[] = [];
  for (let waited = 0; waited < 3000; waited += 50) {
    records = logRecords(server.output()).slice(before);
    if (records.some((r) => r.status === 499)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(records.find((r) => r.status === 499)).toMatchObject({ level: 'info', message: 'request', code: 'client_closed_request' });
  expect(records.filter((r) => r.level === 'error')).toEqual([]);
});
