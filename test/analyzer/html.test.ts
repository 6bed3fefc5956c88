/**
 * The HTML report opened in headless Chromium (Debian's `chromium`, driven
 * by playwright-core): it shows the verdict, filters by severity, escapes
 * what the plugin wrote, and makes no request at all. Skips with a message
 * when Chromium is not installed (`.ci/run` installs it).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePlugin, analyzePlugins, formatHtml, type PluginAnalysis } from '../../analyzer/index.js';
import { FIXTURES, MANIFEST, tempDir, writePlugin } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
if (missing) console.warn(`html.test.ts skipped: no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does this)`);

let browser: Browser;
let analyses: PluginAnalysis[];

beforeAll(async () => {
  if (missing) return;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-background-networking'] });
  analyses = await analyzePlugins([join(FIXTURES, 'stealer'), join(FIXTURES, 'declared'), join(FIXTURES, 'clean')], { cache: false });
});
afterAll(async () => {
  await browser?.close();
});

/** Writes the report, opens it, and records every request the page makes (the file itself is the only one allowed). */
async function open(html: string) {
  const file = join(tempDir(), 'report.html');
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await browser.newContext();
  const requests: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url() === url ? route.continue() : route.abort();
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  return { page, requests, errors, url, close: () => context.close() };
}

describe.skipIf(missing)('HTML report in Chromium', () => {
  it('opens, shows each verdict and the reasons, and makes no request but its own file', async () => {
    const { page, requests, errors, url, close } = await open(formatHtml(analyses));
    try {
      expect(await page.title()).toBe('Warden: 3 plugins');
      expect(await page.locator('#overview').textContent()).toMatch(/^3 plugins: 1 blocked, 2 allowed/);
      const verdicts = await page.locator('.plugin .verdict').allTextContents();
      expect(verdicts).toEqual(['blocked for community', 'allowed for community', 'allowed for community']);
      expect(await page.locator('.plugin').first().locator('.reasons li').first().textContent()).toMatch(/critical findings block loading for community plugins: .*\(no-[a-z-]+ at index\.js:\d+:\d+\)/);
      expect(await page.locator('.plugin').first().locator('pre.frame').first().textContent()).toMatch(/> +\d+ \|/);
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
    } finally {
      await close();
    }
  });

  it('filters findings by severity', async () => {
    const { page, close } = await open(formatHtml(analyses));
    try {
      // The community tier hides nothing, so every finding is listed.
      const total = analyses.flatMap((analysis) => analysis.findings).length;
      const visible = () => page.locator('.finding:visible').count();
      expect(await visible()).toBe(total);
      const critical = analyses.flatMap((analysis) => analysis.findings).filter((f) => f.severity === 'critical').length;
      for (const severity of ['high', 'medium', 'low', 'info']) await page.locator(`#filters input[data-severity="${severity}"]`).uncheck();
      expect(await visible()).toBe(critical);
      expect(await page.locator('.finding:visible').evaluateAll((items) => items.every((item) => (item as unknown as { dataset: Record<string, string> }).dataset.severity === 'critical'))).toBe(true);
      expect(await page.locator('#shown-count').textContent()).toBe(String(critical));
      await page.locator('#filters input[data-severity="critical"]').uncheck();
      expect(await visible()).toBe(0);
      await page.locator('#filters input[data-severity="low"]').check();
      expect(await visible()).toBe(analyses.flatMap((analysis) => analysis.findings).filter((f) => f.severity === 'low').length);
    } finally {
      await close();
    }
  });

  it('shows capabilities declared beside those used, and reachability when the analysis has it', async () => {
    const declared = analyses[1];
    const withReach = { ...declared, findings: declared.findings.map((finding, i) => ({ ...finding, reachable: i === 0 })) };
    const { page, close } = await open(formatHtml([withReach]));
    try {
      const rows = await page.locator('table.capabilities tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      expect(rows.length).toBeGreaterThan(0);
      for (const [, declaredCell, used] of rows) {
        expect(declaredCell).not.toBe('');
        expect(used).toMatch(/use|not used/);
      }
      expect(await page.locator('.finding .reachable').count()).toBe(1);
      expect(await page.locator('.finding .unreachable').count()).toBe(withReach.findings.length - 1);
    } finally {
      await close();
    }
  });

  it('shows what a plugin wrote as text: markup in its code, names and messages never runs or loads', async () => {
    const hostile = '</pre><img src="https://evil.example/x.png"><script>window.pwned = 1</script>';
    const root = writePlugin({
      'package.json': { ...MANIFEST, name: 'xss', version: '1.0.0' },
      'index.js': `// ${hostile}\nrequire('child_process').exec('<b onmouseover=alert(1)>');\n`,
      [`lib/<img src=x onerror="window.pwned=2">.js`]: "require('net');\n",
    });
    const analysis = await analyzePlugin(root, { cache: false });
    const { page, requests, url, close } = await open(formatHtml([analysis]));
    try {
      expect(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('pre.frame').first().textContent()).toContain(hostile);
      expect(await page.locator('code', { hasText: 'onerror' }).count()).toBe(1);
      expect(requests).toEqual([url]);
    } finally {
      await close();
    }
  });
});
