/**
 * The console's page and its assets, built by esbuild when the gateway is bundled (lib/console-build.ts)
 * and handed in as one JSON string (`SAGEGATE_CONSOLE_ASSETS`, inlined at build time). Never built on
 * a request.
 */
export interface ConsoleAssets {
  /** File name (content-hashed) to its text. */
  files: Record<string, string>;
  script: string;
  stylesheet: string;
}

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export const contentTypeOf = (name: string): string => TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

export function consoleAssets(): ConsoleAssets {
  const text = process.env.SAGEGATE_CONSOLE_ASSETS;
  if (!text) throw new Error('the console assets were not built into this bundle (lib/console-build.ts)');
  return JSON.parse(text) as ConsoleAssets;
}

/** The one page: no inline script or style, only the hashed assets (the CSP allows nothing else). */
export function indexHtml(assets: ConsoleAssets): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>sagegate console</title>
<link rel="stylesheet" href="/ui/assets/${assets.stylesheet}">
<script type="module" src="/ui/assets/${assets.script}"></script>
</head>
<body>
<noscript>The sagegate console needs JavaScript.</noscript>
<div id="app"></div>
</body>
</html>
`;
}
