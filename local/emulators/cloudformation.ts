import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * CloudFormation's DescribeStacks over its real protocol (awsQuery: a form-encoded POST, an XML
 * answer), enough for the admin CLI to find the key store from the stack's outputs.
 */
export class CloudFormationEmulator {
  private readonly stacks = new Map<string, Record<string, string>>();
  private server: Server | undefined;
  url = '';

  addStack(name: string, outputs: Record<string, string>): this {
    this.stacks.set(name, outputs);
    return this;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const name = form.get('StackName') ?? '';
        const outputs = this.stacks.get(name);
        res.setHeader('content-type', 'text/xml');
        if (form.get('Action') !== 'DescribeStacks' || !outputs) {
          res.statusCode = 400;
          return res.end(
            `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${xml(name)} does not exist</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`,
          );
        }
        const members = Object.entries(outputs)
          .map(([key, value]) => `<member><OutputKey>${xml(key)}</OutputKey><OutputValue>${xml(value)}</OutputValue></member>`)
          .join('');
        res.end(
          `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
            `<StackName>${xml(name)}</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/${xml(name)}/1</StackId>` +
            `<CreationTime>2026-11-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs>${members}</Outputs>` +
            `</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata></DescribeStacksResponse>`,
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
