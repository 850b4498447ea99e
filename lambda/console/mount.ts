import { Hono } from 'hono';
import type { ConsoleDependencies } from './console-app.js';

type ConsoleModule = typeof import('./console-app.js');

/**
 * The console's module, loaded on the first /ui request only: an API request never parses or runs it.
 * Bundled for Lambda, it is a file of its own beside the handler (SAGEGATE_CONSOLE_CHUNK, set at build
 * time: lib/console-build.ts), so the handler's bundle and cold start carry none of it; unbundled, the
 * source module.
 */
function loadConsole(): Promise<ConsoleModule> {
  return process.env.SAGEGATE_CONSOLE_CHUNK
    ? import(/* the console's own bundle */ new URL(process.env.SAGEGATE_CONSOLE_CHUNK, import.meta.url).href)
    : import('./console-app.js');
}

/** The /ui routes, mounted before the API's: every path under /ui is the console's. */
export function consoleMount(deps: ConsoleDependencies): Hono {
  let handler: Promise<(request: Request, env?: unknown) => Promise<Response>> | undefined;
  const mount = new Hono();
  mount.all('*', async (c) => {
    handler ??= loadConsole().then((m) => m.createConsole(deps));
    handler.catch(() => {
      handler = undefined;
    });
    return (await handler)(c.req.raw, c.env);
  });
  return mount;
}
