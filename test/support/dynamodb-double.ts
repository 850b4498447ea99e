import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureUsageTable } from '../../server/usage-table.js';

/**
 * A real DynamoDB-protocol server for tests: dynalite (DynamoDB's JSON 1.0 wire protocol in pure
 * JavaScript, in memory), in this process on a random port, behind a front that counts calls per
 * operation and can simulate an outage: `refuse` (nothing listens: connections are refused) or
 * `hang` (connections are accepted and never answered). Clients reach it through the SDK's standard
 * AWS_ENDPOINT_URL_DYNAMODB (docs/wire-facts.md §10).
 */
const dynalite = createRequire(import.meta.url)('dynalite') as (options: object) => Server;

export type Outage = 'up' | 'refuse' | 'hang';

/**
 * A fault for the next write: `throttle` answers as DynamoDB does when it applied nothing
 * (ProvisionedThroughputExceededException); `late` applies it and answers only after `ms`
 * (past the client's deadline: the client cannot know it was applied).
 */
export type WriteFault = { kind: 'throttle' } | { kind: 'late'; ms: number };

export interface DynamoDbDouble {
  url: string;
  /** Calls received, by operation (`UpdateItem`, `Query`, ...). */
  readonly calls: Map<string, number>;
  setState(state: Outage): Promise<void>;
  /** The next UpdateItem meets this fault. */
  failNextWrite(fault: WriteFault): void;
  /** Creates the usage table as the stack (and the local server) would. */
  createTable(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startDynamoDb(): Promise<DynamoDbDouble> {
  const inner = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const handle = inner.listeners('request')[0] as RequestListener;
  const calls = new Map<string, number>();
  const hung: ServerResponse[] = [];
  let state: Outage = 'up';
  let fault: WriteFault | undefined;
  const front = createServer((req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '?';
    if (state === 'hang') {
      hung.push(res);
      return;
    }
    calls.set(operation, (calls.get(operation) ?? 0) + 1);
    const now = operation === 'UpdateItem' ? fault : undefined;
    if (now) fault = undefined;
    if (now?.kind === 'throttle') {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
          message: 'The level of configured provisioned throughput for the table was exceeded.',
        }),
      );
      return;
    }
    if (now?.kind === 'late') {
      // Applied by dynalite at once; the answer is held back.
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        setTimeout(() => end(...args), now.ms);
        return res;
      }) as typeof res.end;
    }
    handle(req, res);
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const port = (front.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const closeFront = () =>
    new Promise<void>((resolve) => {
      for (const res of hung.splice(0)) res.socket?.destroy();
      front.closeAllConnections();
      front.close(() => resolve());
    });
  return {
    url,
    calls,
    async setState(next) {
      if (state === 'refuse' && next !== 'refuse') await new Promise<void>((resolve) => front.listen(port, '127.0.0.1', resolve));
      if (next === 'refuse' && state !== 'refuse') await closeFront();
      if (next === 'up') for (const res of hung.splice(0)) res.socket?.destroy();
      state = next;
    },
    failNextWrite(next) {
      fault = next;
    },
    async createTable(name) {
      await ensureUsageTable(name, new DynamoDBClient({ endpoint: url, region: process.env.AWS_REGION ?? 'us-east-1' }));
    },
    async stop() {
      if (state !== 'refuse') await closeFront();
      await new Promise<void>((resolve) => inner.close(() => resolve()));
    },
  };
}
