import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's Chromium, headless, as this machine and CI run it: no browser download, and the background
 * networking flags off (the closed network refuses those connections, many at a time).
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
