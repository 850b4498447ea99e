import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, as `.ci/run` installs it (SAGEGATE_CHROMIUM names another build of it). */
export const CHROMIUM = process.env.SAGEGATE_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, in words that say what to do about it. */
export class ChromiumMissing extends Error {}

/**
 * Debian's Chromium, installed on first use when missing (apt-get, as root: `.ci/run` does the same
 * before the tests). When it cannot be had, a ChromiumMissing error that names the package and the
 * command: the browser tests then fail with that message, never pass or skip unseen.
 */
export function ensureChromium(): string | ChromiumMissing {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  let cause = `${CHROMIUM} is not there after the install`;
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    cause = `apt-get could not install it: ${(error as Error).message.split('\n')[0]}`;
  }
  if (existsSync(CHROMIUM)) return CHROMIUM;
  return new ChromiumMissing(
    `The console's browser tests need Debian's Chromium at ${CHROMIUM}, and ${cause}. Install it as root with: apt-get update && apt-get install -y chromium (.ci/run does this).`,
  );
}

/** Chromium's flags on this machine: headless, no network of its own (background calls would be refused). */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];
