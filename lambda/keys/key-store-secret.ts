import { createHash } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { type KeyDocument, keyDocumentSchema, parseKeyDocument } from '../auth/key-document.js';

const ATTEMPTS = 6;

/**
 * The key store secret, edited safely by several admins at once. Each write carries an idempotency
 * token derived from the version it was based on: if another admin wrote from the same version first,
 * Secrets Manager refuses ours (ResourceExistsException), and the edit is re-applied to their version.
 * Nothing is lost. Every document is validated before it is written.
 */
export class KeyStoreSecret {
  constructor(
    readonly secretId: string,
    private readonly client: SecretsManagerClient,
    private readonly notice: (message: string) => void = () => undefined,
  ) {}

  async read(stage: 'AWSCURRENT' | 'AWSPENDING' = 'AWSCURRENT'): Promise<{ doc: KeyDocument; versionId: string } | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }));
      return { doc: parseKeyDocument(out.SecretString ?? ''), versionId: out.VersionId! };
    } catch (error) {
      if (stage === 'AWSPENDING' && (error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  }

  /** Applies `edit` to the current document and writes it as the new AWSCURRENT (or AWSPENDING). */
  async edit<T>(edit: (doc: KeyDocument) => { doc: KeyDocument; result: T }, stage: 'AWSCURRENT' | 'AWSPENDING' = 'AWSCURRENT'): Promise<T> {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const current = await this.read('AWSCURRENT');
      if (!current) throw new Error('the key store secret has no current version');
      const { doc, result } = edit(current.doc);
      const next = { ...doc, revision: current.doc.revision + 1 };
      const valid = keyDocumentSchema.safeParse(next);
      if (!valid.success)
        throw new Error(
          `refusing to write an invalid key store document: ${valid.error.issues[0]!.path.join('.')}: ${valid.error.issues[0]!.message}`,
        );
      try {
        await this.client.send(
          new PutSecretValueCommand({
            SecretId: this.secretId,
            SecretString: JSON.stringify(valid.data, null, 2),
            ClientRequestToken: tokenFor(current.versionId, stage),
            VersionStages: [stage],
          }),
        );
        return result;
      } catch (error) {
        if ((error as Error).name !== 'ResourceExistsException') throw error;
        this.notice(`another admin changed the key store at the same time; applying this change on top of theirs (attempt ${attempt + 1})`);
      }
    }
    throw new Error(`the key store kept changing under this command; gave up after ${ATTEMPTS} attempts`);
  }

  /** Version ids by staging label. */
  async stages(): Promise<Record<string, string>> {
    const out = await this.client.send(new DescribeSecretCommand({ SecretId: this.secretId }));
    const byStage: Record<string, string> = {};
    for (const [id, stages] of Object.entries(out.VersionIdsToStages ?? {})) for (const stage of stages) byStage[stage] = id;
    return byStage;
  }

  /**
   * The AWSPENDING version, if any, parsed without throwing: a half-written or corrupt pending
   * version must be reportable (and removable), not a crash of every command that looks at it.
   */
  async pending(): Promise<PendingVersion | undefined> {
    let out: { SecretString?: string; VersionId?: string };
    try {
      out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: 'AWSPENDING' }));
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
    try {
      return { versionId: out.VersionId!, doc: parseKeyDocument(out.SecretString ?? '') };
    } catch (error) {
      return { versionId: out.VersionId!, problem: (error as Error).message };
    }
  }

  /**
   * Ends a rotation: the AWSPENDING version becomes AWSCURRENT, once it is known to be a valid key
   * store document with a master key. A corrupt one is refused with nothing changed: promoting it
   * would leave gateways that start afterwards unable to read any key (503 for everyone).
   */
  async promotePending(): Promise<void> {
    const pending = await this.pending();
    if (!pending) throw new Error('no rotation is pending (no AWSPENDING version)');
    const problem = pending.problem ?? (pending.doc?.master_key_sha256 || pending.doc?.master_key ? undefined : 'it holds no master key');
    if (problem) throw new InvalidPendingVersion(pending.versionId, problem);
    const current = (await this.stages()).AWSCURRENT;
    await this.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: this.secretId,
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: pending.versionId,
        RemoveFromVersionId: current,
      }),
    );
    await this.client.send(
      new UpdateSecretVersionStageCommand({ SecretId: this.secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: pending.versionId }),
    );
  }

  /** Abandons a rotation: the AWSPENDING label is removed (the version is left unlabelled), AWSCURRENT is untouched. */
  async abortPending(): Promise<string> {
    const pending = (await this.stages()).AWSPENDING;
    if (!pending) throw new Error('no rotation is pending (no AWSPENDING version)');
    await this.client.send(
      new UpdateSecretVersionStageCommand({ SecretId: this.secretId, VersionStage: 'AWSPENDING', RemoveFromVersionId: pending }),
    );
    return pending;
  }
}

export interface PendingVersion {
  versionId: string;
  doc?: KeyDocument;
  /** Why the pending document is unusable. */
  problem?: string;
}

/** `--finish` refused: the pending version cannot become the key store. */
export class InvalidPendingVersion extends Error {
  constructor(
    readonly versionId: string,
    readonly problem: string,
  ) {
    super(
      `refusing to finish the rotation: the pending version (AWSPENDING, ${versionId}) is not a valid key store document: ${problem}.\n` +
        'Nothing was changed: the current master key and keys still work.\n' +
        'To recover, remove the pending version: sagegate keys rotate-master --abort\n' +
        'then start a new rotation: sagegate keys rotate-master',
    );
  }
}

/** Same base version, same token: the second of two concurrent writers is refused, not applied. */
function tokenFor(baseVersionId: string, stage: string): string {
  const hex = createHash('sha256').update(`${stage}:${baseVersionId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
