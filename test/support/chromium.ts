import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian's Chromium, as `.ci/run` installs it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Debian's Chromium, installed on first use when missing (apt-get, as root); undefined with a loud
 * reason when it cannot be had, so the browser tests say they were skipped instead of passing unseen.
 */
export function ensureChromium(): string | undefined {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore', timeout: 300_000 });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], {
      stdio: 'ignore',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (error) {
    console.error(
      `\n*** BROWSER TESTS SKIPPED: Debian's chromium is not installed and apt-get could not install it (${(error as Error).message.split('\n')[0]}).\n*** Install it with: apt-get install chromium\n`,
    );
    return undefined;
  }
  return existsSync(CHROMIUM) ? CHROMIUM : undefined;
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
