/**
 * sagegate's admin CLI. Uses your AWS credentials (profile, environment, SSO); writes only the key
 * store secret, and reads the usage table.
 *
 *   npx sagegate keys create --name <n> [--models a,b] [--expires 30d] [--rpm 60] [--tpm 100000] [--budget 20 [--budget-duration 30d]] [--admin]
 *   npx sagegate keys update <id> [--rpm N|none] [--tpm N|none] [--budget USD|none] [--budget-duration 30d]
 *   npx sagegate keys list
 *   npx sagegate keys revoke <id>
 *   npx sagegate keys rotate-master            (stage a new master key: old and new both work)
 *   npx sagegate keys rotate-master --finish   (make the new one the only one)
 *   npx sagegate keys rotate-master --abort    (drop the staged one; the current keys stay)
 *   npx sagegate usage [--since 7d] [--key <id>] [--model <name>] [--json] [--config sagegate.yaml]
 *
 * The secret: --secret <arn|name>, the table: --table <name>, or the outputs of --stack <name>
 * (default SageGate). --region <r>.
 */
import { parseArgs } from 'node:util';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfigFile } from '../config/load.js';
import type { KeyDocument } from '../lambda/auth/key-document.js';
import { AWS_CLIENTS, awsClientOptions } from '../lambda/aws/client-policy.js';
import { KeyEditError } from '../lambda/keys/key-edit-error.js';
import { refuseDuringRotation } from '../lambda/keys/rotation-guard.js';
import { parseBudgetDuration } from '../lambda/usage/budget-period.js';
import { DynamoUsageStore } from '../lambda/usage/dynamodb-store.js';
import { awsFailure } from './aws-failure.js';
import type { Io } from './io.js';
import { expiryFrom, UsageError } from './keys/durations.js';
import { findSecret, findTable } from './keys/find-secret.js';
import { addKey, keyStatus, newApiKey, replaceMaster, revokeKey, updateKey } from './keys/key-commands.js';
import { KeyStoreSecret } from './keys/key-store-secret.js';
import { upstreamKeysMain } from './upstream-keys/main.js';
import { formatReport, usageReport } from './usage/usage-report.js';

export type { Io };

const consoleIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l) };

const USAGE = `usage: sagegate keys <create|update|list|revoke|rotate-master> [options] | sagegate usage [options]
       sagegate upstream-keys set <deployment> [--config <file> | --stack <name>] [--region <region>]   (key on standard input)
  keys create --name <name> [--models a,b] [--expires 30d] [--rpm 60] [--tpm 100000] [--budget 20] [--budget-duration 30d] [--admin: may sign in to /ui]
  keys update <key id> [--rpm 60|none] [--tpm 100000|none] [--budget 20|none] [--budget-duration 30d]
  keys list
  keys revoke <key id>
  keys rotate-master [--finish | --abort]
  usage [--since 7d|2026-01-31] [--key <key id>] [--model <name>] [--json] [--config <file>: shows the gateway budget]
options: --secret <arn|name>, --table <name> | --stack <name> (default SageGate), --region <region>`;

export async function main(argv: string[], io: Io = consoleIo, stdin: AsyncIterable<Buffer | string> = process.stdin): Promise<number> {
  if (argv[0] === 'upstream-keys') return upstreamKeysMain(argv.slice(1), io, stdin);
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        models: { type: 'string' },
        expires: { type: 'string' },
        rpm: { type: 'string' },
        tpm: { type: 'string' },
        budget: { type: 'string' },
        'budget-duration': { type: 'string' },
        since: { type: 'string' },
        key: { type: 'string' },
        model: { type: 'string' },
        json: { type: 'boolean' },
        table: { type: 'string' },
        config: { type: 'string' },
        finish: { type: 'boolean' },
        abort: { type: 'boolean' },
        admin: { type: 'boolean' },
        secret: { type: 'string' },
        stack: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [group, command, ...rest] = positionals;
    if (values.region) process.env.AWS_REGION = values.region;
    if (!values.help && group === 'usage') return await usage(values, io);
    if (group !== undefined && !COMMANDS.has(group) && !values.help) throw new UsageError(`unknown command '${group}'\n${USAGE}`);
    if (values.help || group !== 'keys' || !command) {
      io.err(USAGE);
      return values.help ? 0 : 2;
    }
    // Every argument is checked before the first AWS call.
    checkKeysArguments(command, rest, values);
    const secretId = await findSecret(values);
    const client = new SecretsManagerClient({ ...(values.region && { region: values.region }), ...awsClientOptions(AWS_CLIENTS.tools) });
    const store = new KeyStoreSecret(secretId, client, (m) => io.err(m));

    switch (command) {
      case 'create': {
        if (!values.name) throw new UsageError('keys create needs --name');
        const rpm = wholeNumber('--rpm', values.rpm) ?? undefined;
        const tpm = wholeNumber('--tpm', values.tpm) ?? undefined;
        const budget = dollars(values.budget) ?? undefined;
        const budgetDuration = duration(values['budget-duration']) ?? undefined;
        if (budgetDuration && !budget) throw new UsageError('--budget-duration needs --budget');
        const models = values.models
          ? values.models
              .split(',')
              .map((m) => m.trim())
              .filter(Boolean)
          : '*';
        const expiresAt = values.expires ? expiryFrom(values.expires) : undefined;
        await refuseDuringRotation(store);
        const key = newApiKey();
        const record = await store.edit((doc) => {
          const { doc: next, record } = addKey(doc, key, {
            name: values.name!,
            models,
            expiresAt,
            rpm,
            tpm,
            budget,
            budgetDuration,
            admin: values.admin,
          });
          return { doc: next, result: record };
        });
        io.err(
          `created ${record.id} (${record.name}) for ${models === '*' ? 'all models' : models.join(', ')}${expiresAt ? `, expires ${expiresAt}` : ''}${limitsText(record)}${record.admin ? ', admin (may sign in to /ui)' : ''}`,
        );
        io.err('the key is shown once; store it now:');
        io.out(key);
        return 0;
      }
      case 'list': {
        const current = await store.read();
        if (!current) throw new Error('the key store secret has no current version');
        const pending = await store.pending();
        const master = current.doc.master_key ? 'generated by the stack (stored in the clear: run keys rotate-master)' : 'stored as a hash';
        const rotation = !pending
          ? ''
          : pending.problem
            ? `; a rotation is pending but its version is invalid (${pending.problem}): run keys rotate-master --abort`
            : '; a rotation is pending (keys rotate-master --finish)';
        io.out(`master key: ${master}${rotation}`);
        io.out(['ID', 'NAME', 'KEY', 'MODELS', 'RPM', 'EXPIRES', 'STATUS', 'TPM', 'BUDGET', 'ADMIN'].join('\t'));
        for (const k of current.doc.keys) {
          const budget = k.budget ? `$${k.budget}/${k.budget_duration ?? '1mo'}` : '-';
          io.out(
            [
              k.id,
              k.name,
              k.hint,
              k.models === '*' ? '*' : k.models.join(','),
              k.rpm ?? '-',
              k.expires_at ?? '-',
              keyStatus(k),
              k.tpm ?? '-',
              budget,
              k.admin ? 'yes' : '-',
            ].join('\t'),
          );
        }
        return 0;
      }
      case 'update': {
        const id = rest[0];
        if (!id) throw new UsageError('keys update needs a key id (see: sagegate keys list)');
        const changes = {
          rpm: wholeNumber('--rpm', values.rpm),
          tpm: wholeNumber('--tpm', values.tpm),
          budget: dollars(values.budget),
          budgetDuration: duration(values['budget-duration']),
        };
        if (Object.values(changes).every((v) => v === undefined))
          throw new UsageError('keys update needs --rpm, --tpm, --budget or --budget-duration');
        await refuseDuringRotation(store);
        const record = await store.edit((doc) => {
          const { doc: next, record } = updateKey(doc, id, changes);
          return { doc: next, result: record };
        });
        io.err(`updated ${record.id} (${record.name})${limitsText(record) || ': no limits'}; gateways apply it within their key cache TTL`);
        return 0;
      }
      case 'revoke': {
        const id = rest[0];
        if (!id) throw new UsageError('keys revoke needs a key id (see: sagegate keys list)');
        await refuseDuringRotation(store);
        await store.edit((doc) => ({ doc: revokeKey(doc, id), result: undefined }));
        io.err(`revoked ${id}; gateways stop accepting it within their key cache TTL`);
        return 0;
      }
      case 'rotate-master': {
        if (values.finish && values.abort) throw new UsageError('keys rotate-master takes --finish or --abort, not both');
        if (values.abort) {
          const version = await store.abortPending();
          io.err(
            `the pending master key rotation is abandoned (version ${version} no longer AWSPENDING); the current master key and keys are unchanged`,
          );
          return 0;
        }
        if (values.finish) {
          await store.promotePending();
          io.err('the new master key is now the only one; the old one stops working within the key cache TTL');
          return 0;
        }
        await refuseDuringRotation(store);
        const key = newApiKey();
        await store.edit((doc) => ({ doc: replaceMaster(doc, key), result: undefined }), 'AWSPENDING');
        io.err('a new master key is staged (AWSPENDING): the old and the new one both work now.');
        io.err('switch your clients, then run: sagegate keys rotate-master --finish');
        io.err('the new master key is shown once; store it now:');
        io.out(key);
        return 0;
      }
      default:
        throw new UsageError(`unknown command 'keys ${command}'\n${USAGE}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof KeyEditError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sagegate: ${(error as Error).message}`);
      return 2;
    }
    io.err(`sagegate: ${awsFailure(error)}`);
    return 1;
  }
}

const COMMANDS = new Set(['keys', 'usage', 'upstream-keys']);
const KEY_COMMANDS = new Set(['create', 'update', 'list', 'revoke', 'rotate-master']);

/** The mistakes a `keys` command can be told of before any AWS call. */
function checkKeysArguments(command: string, rest: string[], values: Record<string, string | boolean | undefined>): void {
  if (!KEY_COMMANDS.has(command)) throw new UsageError(`unknown command 'keys ${command}'\n${USAGE}`);
  if (command === 'create' && !values.name) throw new UsageError('keys create needs --name');
  if ((command === 'update' || command === 'revoke') && !rest[0]) throw new UsageError(`keys ${command} needs a key id (see: sagegate keys list)`);
  wholeNumber('--rpm', values.rpm as string | undefined);
  wholeNumber('--tpm', values.tpm as string | undefined);
  dollars(values.budget as string | undefined);
  duration(values['budget-duration'] as string | undefined);
  if (typeof values.expires === 'string') expiryFrom(values.expires);
}

/** `sagegate usage`: requests, tokens, cost and budget left per key and model, from the usage table. */
async function usage(values: Record<string, string | boolean | undefined>, io: Io): Promise<number> {
  const str = (name: string) => values[name] as string | undefined;
  const table = await findTable({ table: str('table'), stack: str('stack'), region: str('region') });
  // Key names and budgets from the key store when it can be read; the report stands without them.
  let keys: KeyDocument | undefined;
  try {
    const secretId = await findSecret({ secret: str('secret'), stack: str('stack'), region: str('region') });
    keys = (await new KeyStoreSecret(secretId, new SecretsManagerClient(awsClientOptions(AWS_CLIENTS.tools))).read())?.doc;
  } catch (error) {
    if (!values.json) io.err(`(key names and budgets not shown: ${(error as Error).message})`);
  }
  const gatewayBudget = str('config') ? (await loadConfigFile(str('config')!)).usage.budget : undefined;
  const report = await usageReport(new DynamoUsageStore(table), {
    since: str('since') ?? '7d',
    ...(str('key') && { key: str('key') }),
    ...(str('model') && { model: str('model') }),
    ...(keys && { keys }),
    ...(gatewayBudget && { gatewayBudget }),
  });
  if (values.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatReport(report)) io.out(line);
  return 0;
}

/** A positive whole number, `none` (null: remove), or undefined when not given. */
function wholeNumber(flag: string, text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return null;
  const n = Number(text);
  if (!(Number.isInteger(n) && n > 0)) throw new UsageError(`${flag}: '${text}' is not a positive whole number (or none)`);
  return n;
}

function dollars(text: string | undefined): number | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return null;
  const n = Number(text.replace(/^\$/, ''));
  if (!(Number.isFinite(n) && n > 0)) throw new UsageError(`--budget: '${text}' is not a positive number of US dollars (or none)`);
  return n;
}

function duration(text: string | undefined): string | null | undefined {
  if (text === undefined) return undefined;
  const parsed = parseBudgetDuration(text);
  if (typeof parsed === 'string') throw new UsageError(`--budget-duration: ${parsed}`);
  return text;
}

function limitsText(k: { rpm?: number; tpm?: number; budget?: number; budget_duration?: string }): string {
  return [
    k.rpm && `${k.rpm} requests/minute`,
    k.tpm && `${k.tpm} tokens/minute`,
    k.budget && `a $${k.budget} budget per ${k.budget_duration ?? 'calendar month'}`,
  ]
    .filter(Boolean)
    .map((t) => `, ${t}`)
    .join('');
}
