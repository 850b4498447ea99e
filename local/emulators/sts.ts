import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkSigV4, type EmulatorCredentials, type KnownCredentials } from './sigv4-check.js';

/**
 * A local STS speaking the real awsQuery protocol (docs/wire-facts.md §9): `POST /` with a
 * form-encoded body (`Action=AssumeRole&Version=2011-06-15&RoleArn=...`), SigV4 for the service
 * `sts`, answers in XML with the request id in `x-amzn-RequestId` (the header the SDK reads), errors
 * as `<ErrorResponse>`. The real `@aws-sdk/client-sts` pointed here with AWS_ENDPOINT_URL_STS behaves as
 * against AWS. The credentials it issues can be handed to the SageMaker emulator (`onIssue`), which
 * then accepts their signatures, session token included.
 */
export interface IssuedCredentials extends EmulatorCredentials {
  sessionToken: string;
  expiration: Date;
  roleArn: string;
  sessionName: string;
}

export interface AssumeRoleCall {
  roleArn: string;
  sessionName: string;
  durationSeconds?: number;
  /** Whose credentials signed the call. */
  callerAccessKeyId?: string;
}

const XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export class StsEmulator {
  readonly calls: AssumeRoleCall[] = [];
  readonly issued: IssuedCredentials[] = [];
  /** Issued credentials last this long whatever was asked (tests of refresh); by default what was asked. */
  lifetimeSeconds: number | undefined;
  /** Called with every set of credentials issued. */
  onIssue: ((credentials: IssuedCredentials) => void) | undefined;
  private readonly roles = new Map<string, { trusts?: string[] }>();
  private server: Server | undefined;
  url = '';

  /** With `callers`, each request's SigV4 signature is checked against them (service `sts`). */
  constructor(private readonly callers?: KnownCredentials) {}

  /** A role that may be assumed; `trusts` limits who may (access key ids), as the role's trust policy would. */
  addRole(roleArn: string, options: { trusts?: string[] } = {}): this {
    this.roles.set(roleArn, options);
    return this;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks), res).catch((error) =>
          sendError(res, 500, 'Receiver', 'InternalFailure', String(error)),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.url = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private async handle(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer, res: ServerResponse): Promise<void> {
    if (method !== 'POST' || !String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return sendError(res, 400, 'Sender', 'InvalidAction', 'Could not find operation for this request.');
    }
    const refused = await checkSigV4({ method, url, headers, body }, this.callers, 'sts');
    if (refused) return sendError(res, 403, 'Sender', refused.type === 'ExpiredTokenException' ? 'ExpiredToken' : refused.type, refused.message);
    const params = new URLSearchParams(body.toString('utf8'));
    if (params.get('Version') !== '2011-06-15') return sendError(res, 400, 'Sender', 'InvalidAction', 'Version must be 2011-06-15.');
    if (params.get('Action') !== 'AssumeRole')
      return sendError(res, 400, 'Sender', 'InvalidAction', `Could not find operation ${params.get('Action')}.`);
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    if (!roleArn || !sessionName) return sendError(res, 400, 'Sender', 'MissingParameter', 'RoleArn and RoleSessionName are required.');
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) {
      return sendError(
        res,
        400,
        'Sender',
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint`,
      );
    }
    const duration = params.has('DurationSeconds') ? Number(params.get('DurationSeconds')) : undefined;
    const caller = /Credential=([^/]+)\//.exec(String(headers.authorization ?? ''))?.[1];
    this.calls.push({ roleArn, sessionName, durationSeconds: duration, callerAccessKeyId: caller });
    if (duration !== undefined && (!Number.isInteger(duration) || duration < 900 || duration > 43200)) {
      return sendError(res, 400, 'Sender', 'ValidationError', 'The requested DurationSeconds must be between 900 and 43200 seconds.');
    }
    // A caller with a session token is itself an assumed role: role chaining caps sessions at one hour.
    if (headers['x-amz-security-token'] && (duration ?? 3600) > 3600) {
      return sendError(
        res,
        400,
        'Sender',
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    const role = this.roles.get(roleArn);
    if (!role || (role.trusts && (!caller || !role.trusts.includes(caller)))) {
      return sendError(
        res,
        403,
        'Sender',
        'AccessDenied',
        `User: arn:aws:iam::123456789012:user/caller is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(48).toString('base64')}`,
      expiration: new Date(Date.now() + (this.lifetimeSeconds ?? duration ?? 3600) * 1000),
      roleArn,
      sessionName,
    };
    this.issued.push(credentials);
    this.onIssue?.(credentials);
    const account = /^arn:[^:]+:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    const requestId = crypto.randomUUID();
    res.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(`<AssumeRoleResponse xmlns="${XMLNS}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account?.[1] ?? '000000000000'}:assumed-role/${xml(account?.[2] ?? 'role')}/${xml(sessionName)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xml(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${credentials.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${xml(credentials.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xml(credentials.sessionToken)}</SessionToken>
      <Expiration>${credentials.expiration.toISOString()}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${requestId}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`);
  }
}

function sendError(res: ServerResponse, status: number, type: 'Sender' | 'Receiver', code: string, message: string): void {
  if (res.headersSent) return void res.destroy();
  const requestId = crypto.randomUUID();
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
  res.end(
    `<ErrorResponse xmlns="${XMLNS}">\n  <Error>\n    <Type>${type}</Type>\n    <Code>${code}</Code>\n    <Message>${xml(message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
  );
}

const xml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
