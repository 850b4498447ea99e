import { parseArgs } from 'node:util';

export interface ServerArguments {
  config?: string;
  port: number;
  host: string;
  drainSeconds: number;
  help: boolean;
}

export const USAGE = [
  'usage: npm start -- [--config <sagegate.yaml | litellm_config.yaml>] [--port 8080] [--host 127.0.0.1] [--drain-seconds 25]',
  '       node dist/server.mjs [the same options]   (the container image)',
  '  environment: SAGEGATE_CONFIG_FILE (a config file), SAGEGATE_CONFIG_YAML (the config itself), PORT, HOST,',
  '  SAGEGATE_DRAIN_SECONDS (how long open streams may finish after SIGTERM), SAGEGATE_KEYS_SECRET (the key store secret),',
  '  LOG_LEVEL (debug | info | warn | error)',
].join('\n');

/** A mistake in the command line: its message, then the usage. */
export class ArgumentError extends Error {}

/** The server's options from its command line and environment; an unknown option or bad value is an ArgumentError. */
export function serverArguments(argv: string[], env: Record<string, string | undefined>): ServerArguments {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        'drain-seconds': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs's own words, without its ERR_PARSE_ARGS_* code and stack.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '.');
    throw new ArgumentError(`${message}\n(with npm, options go after a \`--\`: did you forget \`--\`? e.g. npm start -- --config sagegate.yaml)`);
  }
  const port = Number(values.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError(`--port: '${values.port ?? env.PORT}' is not a port number`);
  const drainSeconds = Number(values['drain-seconds'] ?? env.SAGEGATE_DRAIN_SECONDS ?? 25);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0)
    throw new ArgumentError(`--drain-seconds: '${values['drain-seconds'] ?? env.SAGEGATE_DRAIN_SECONDS}' is not a number of seconds`);
  const config = (values.config as string | undefined) ?? env.SAGEGATE_CONFIG_FILE;
  return {
    ...(config && { config }),
    port,
    host: (values.host as string | undefined) ?? env.HOST ?? '127.0.0.1',
    drainSeconds,
    help: values.help === true,
  };
}
