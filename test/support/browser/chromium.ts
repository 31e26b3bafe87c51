import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/** Debian's Chromium (`apt-get install chromium`, as .ci/run does); puppeteer-core never downloads one. */
export const chromiumPath = process.env.RUNBOOK_CHROMIUM ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumUnavailable: string | undefined = existsSync(chromiumPath)
  ? undefined
  : `no Chromium at ${chromiumPath} (apt-get install chromium, as .ci/run does; or set RUNBOOK_CHROMIUM): skipping the browser render tests`;

/** A headless Chromium and the throwaway profile it runs in; `close()` ends both. */
export interface Chromium {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium with no background traffic: on a closed network (CI, this sandbox) its component
 * updater, sync and field trials try to reach Google and get refused, many times a second, so
 * they are switched off. A fresh --user-data-dir per launch: no state leaks between runs.
 * --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
 */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'runbook-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    userDataDir: profile,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
