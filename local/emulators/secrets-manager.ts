import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Secrets Manager speaking its real JSON protocol (awsJson1_1: `POST /`, `X-Amz-Target:
 * secretsmanager.<Operation>`, errors as `{"__type","message"}`), so the real SDK client pointed here
 * with AWS_ENDPOINT_URL_SECRETS_MANAGER works as against AWS. Versions carry staging labels
 * (AWSCURRENT, AWSPREVIOUS, AWSPENDING) as in the real service.
 */
interface Version {
  id: string;
  value: string;
  stages: Set<string>;
  created: number;
}

interface Secret {
  arn: string;
  name: string;
  versions: Version[];
}

export class SecretsManagerEmulator {
  private readonly secrets = new Map<string, Secret>();
  private server: Server | undefined;
  /** While true every call fails with InternalServiceError (an outage). */
  down = false;
  /** While true every call is held open and never answered (a service that accepts connections and hangs). */
  hang = false;
  calls: { operation: string; secretId?: string; stage?: string }[] = [];
  url = '';

  constructor(
    readonly region = 'us-east-1',
    readonly account = '123456789012',
  ) {}

  /** Creates a secret (or a new AWSCURRENT version of it) and returns its ARN. */
  put(name: string, value: string): string {
    let secret = this.find(name);
    if (!secret) {
      secret = { arn: `arn:aws:secretsmanager:${this.region}:${this.account}:secret:${name}-${randomSuffix()}`, name, versions: [] };
      this.secrets.set(name, secret);
    }
    for (const v of secret.versions) {
      v.stages.delete('AWSPREVIOUS');
      if (v.stages.delete('AWSCURRENT')) v.stages.add('AWSPREVIOUS');
    }
    secret.versions.push({ id: crypto.randomUUID(), value, stages: new Set(['AWSCURRENT']), created: Date.now() / 1000 });
    return secret.arn;
  }

  /** The AWSCURRENT value of a secret, or undefined (for tests that check what was stored). */
  valueOf(name: string): string | undefined {
    return this.find(name)?.versions.find((v) => v.stages.has('AWSCURRENT'))?.value;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        const operation = target.startsWith('secretsmanager.') ? target.slice(15) : '';
        let input: Record<string, unknown> = {};
        try {
          input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return fail(res, 400, 'SerializationException', 'malformed JSON');
        }
        this.calls.push({ operation, secretId: input.SecretId as string | undefined, stage: input.VersionStage as string | undefined });
        if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256'))
          return fail(res, 400, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
        if (this.hang) return; // no answer, ever: the caller's own timeout is all that ends the call
        if (this.down) return fail(res, 500, 'InternalServiceError', 'An error occurred on the server side.');
        this.dispatch(operation, input, res);
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
  }

  private find(id: string): Secret | undefined {
    return this.secrets.get(id) ?? [...this.secrets.values()].find((s) => s.arn === id);
  }

  private dispatch(operation: string, input: Record<string, unknown>, res: ServerResponse): void {
    const secret = typeof input.SecretId === 'string' ? this.find(input.SecretId) : undefined;
    switch (operation) {
      case 'GetSecretValue': {
        if (!secret) return fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        const stage = (input.VersionStage as string | undefined) ?? (input.VersionId ? undefined : 'AWSCURRENT');
        const version = secret.versions.find((v) => (input.VersionId ? v.id === input.VersionId : v.stages.has(stage!)));
        if (!version)
          return fail(res, 400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for staging label: ${stage}`);
        return ok(res, {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.id,
          SecretString: version.value,
          VersionStages: [...version.stages],
          CreatedDate: version.created,
        });
      }
      case 'PutSecretValue': {
        if (!secret) return fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        const stages = (input.VersionStages as string[] | undefined) ?? ['AWSCURRENT'];
        const id = (input.ClientRequestToken as string | undefined) ?? crypto.randomUUID();
        const value = String(input.SecretString ?? '');
        // The token makes the call idempotent: the same token with other content is refused.
        const existing = secret.versions.find((v) => v.id === id);
        if (existing) {
          if (existing.value !== value)
            return fail(res, 400, 'ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
          return ok(res, { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: [...existing.stages] });
        }
        const previous = secret.versions.find((v) => v.stages.has('AWSCURRENT'));
        for (const v of secret.versions) for (const stage of stages) v.stages.delete(stage);
        if (stages.includes('AWSCURRENT')) {
          for (const v of secret.versions) v.stages.delete('AWSPREVIOUS');
          previous?.stages.add('AWSPREVIOUS');
        }
        secret.versions.push({ id, value, stages: new Set(stages), created: Date.now() / 1000 });
        return ok(res, { ARN: secret.arn, Name: secret.name, VersionId: id, VersionStages: stages });
      }
      case 'UpdateSecretVersionStage': {
        // Moves a label from one version to another (finishing a rotation).
        if (!secret) return fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        const stage = String(input.VersionStage);
        const to = secret.versions.find((v) => v.id === input.MoveToVersionId);
        const from = secret.versions.find((v) => v.id === input.RemoveFromVersionId);
        if (input.RemoveFromVersionId && !from?.stages.has(stage))
          return fail(res, 400, 'InvalidParameterException', `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`);
        if (stage === 'AWSCURRENT' && to && from) {
          for (const v of secret.versions) v.stages.delete('AWSPREVIOUS');
          from.stages.add('AWSPREVIOUS');
        }
        from?.stages.delete(stage);
        to?.stages.add(stage);
        return ok(res, { ARN: secret.arn, Name: secret.name });
      }
      case 'CreateSecret': {
        const name = String(input.Name ?? '');
        if (!/^[\w/+=.@-]{1,512}$/.test(name))
          return fail(
            res,
            400,
            'ValidationException',
            'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
          );
        if (this.find(name)) return fail(res, 400, 'ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
        const arn = this.put(name, String(input.SecretString ?? ''));
        return ok(res, { ARN: arn, Name: name, VersionId: this.find(name)!.versions[0]!.id });
      }
      case 'DescribeSecret': {
        if (!secret) return fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return ok(res, {
          ARN: secret.arn,
          Name: secret.name,
          VersionIdsToStages: Object.fromEntries(secret.versions.filter((v) => v.stages.size).map((v) => [v.id, [...v.stages]])),
        });
      }
      default:
        return fail(res, 400, 'UnknownOperationException', `operation ${operation || '(none)'} is not emulated`);
    }
  }
}

function ok(res: ServerResponse, body: object): void {
  res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() });
  res.end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': crypto.randomUUID() });
  res.end(JSON.stringify({ __type: type, message }));
}

const randomSuffix = () => Math.random().toString(36).slice(2, 8);
