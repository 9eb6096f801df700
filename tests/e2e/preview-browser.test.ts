/**
 * The preview page in a real browser (headless Chromium): the Beijing rebuttal, with a chatty
 * phrase the linter flags, over three members of the hall on Weibo, Tencent Weibo and WeChat (one
 * of them pushing). At a phone's width and a desktop's, every account's card is shown with its
 * count and its lint marks, markup in the statement stays text, nothing is wider than the screen
 * (not even a word with no place to break), and the page asks for nothing from the network.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Preview, createPublisher, renderPreviewPage } from 'release-hall';
import { buildAdapters } from '../../src/cli/build-adapters.js';
import { BROWSER_LAUNCH_TIMEOUT_MS, launchChromium } from '../helpers/browser.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';

const PAGE_URL = 'http://preview.release-hall.test/';
const PHRASE = '小伙伴们';
/** Markup in the statement, which must stay text: it would request `x` and set a flag if run. */
const HOSTILE = `<img src=x onerror="document.body.dataset.ran='yes'"><script>document.body.dataset.ran='yes'</script>`;
/** A word with no place to break, which must wrap rather than widen the page. */
const LONG_WORD = 'A'.repeat(90);
const reports = fileURLToPath(new URL('../../reports/', import.meta.url));
const coverPath = fileURLToPath(new URL('../../examples/beijing-hall/cover.jpg', import.meta.url));

let browser: Browser | undefined;
let preview: Preview;
let page: string;

beforeAll(async () => {
  browser = await launchChromium();
  const hall = await beijingHall(['weibo', 'tencent', 'wechat']);
  const publisher = createPublisher({
    hall,
    adapters: buildAdapters(hall),
    // Made-up secrets, so the pre-flight has nothing to refuse; nothing is sent.
    credentials: ({ ref }) => ({ access_token: `made-up-${ref}`, secret: `made-up-${ref}` }),
  });
  const statement = await beijingRebuttal();
  preview = await publisher.preview(
    {
      ...statement,
      advice: `${PHRASE}${HOSTILE}${LONG_WORD}${statement.advice ?? ''}`,
      images: [coverPath],
    },
    {
      mode: 'relay',
      selection: { members: ['beijing-fabu', 'police', 'haidian'] },
      push: { policy: 'push', members: ['police'] },
    },
  );
  page = renderPreviewPage(preview, {
    images: { [coverPath]: `data:image/jpeg;base64,${readFileSync(coverPath).toString('base64')}` },
    approval: { required: 0, urgency: statement.urgency },
  });
}, BROWSER_LAUNCH_TIMEOUT_MS * 2);

afterAll(async () => {
  await browser?.close();
});

/** Text the account's followers read, where the lint marks go. */
function textOf(account: Preview['table']['accounts'][number]): string {
  return (
    account.text ?? `${account.article?.title}${account.article?.digest}${account.article?.html}`
  );
}

describe('the preview page in Chromium', () => {
  it('covers three platforms, a push, a publish and a lint finding', () => {
    expect(Object.keys(preview.table.totals.byPlatform).sort()).toEqual([
      'tencent',
      'wechat',
      'weibo',
    ]);
    const wechat = preview.table.accounts.filter((account) => account.platform === 'wechat');
    expect(wechat.map((account) => account.action)).toContain('push');
    expect(wechat.map((account) => account.action)).toContain('post');
    expect(preview.refusals).toEqual([]);
    expect(preview.lint.findings.some((finding) => finding.message.includes(PHRASE))).toBe(true);
    const marked = preview.table.accounts.filter((account) => textOf(account).includes(PHRASE));
    expect(new Set(marked.map((account) => account.platform)).size).toBe(3);
  });

  it.each([360, 1280])(
    'at %i px: every card with its count and marks, no overflow, no request',
    async (width) => {
      if (browser === undefined) throw new Error('Chromium did not start');
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      try {
        const tab = await context.newPage();
        const requested: string[] = [];
        await tab.route('**', async (route) => {
          const url = route.request().url();
          requested.push(url);
          if (url === PAGE_URL) {
            await route.fulfill({
              status: 200,
              contentType: 'text/html; charset=utf-8',
              body: page,
            });
          } else await route.abort('blockedbyclient');
        });
        const failed: string[] = [];
        tab.on('requestfailed', (request) => failed.push(request.url()));
        await tab.goto(PAGE_URL, { waitUntil: 'load' });

        for (const account of preview.table.accounts) {
          const card = tab.locator(`article[data-account="${account.accountId}"]`);
          await expect.poll(() => card.count()).toBe(1);
          expect(await card.isVisible()).toBe(true);
          const count = card.locator('.count-value').first();
          expect(await count.isVisible()).toBe(true);
          expect(await count.textContent()).toBe(`${account.count} / ${account.limit ?? '?'}`);
          const marks = card.locator('mark.lint[data-rule="discouraged-phrase"]');
          if (textOf(account).includes(PHRASE)) {
            expect(await marks.count()).toBeGreaterThan(0);
            expect(await marks.first().textContent()).toBe(PHRASE);
            expect(await marks.first().isVisible()).toBe(true);
          } else expect(await marks.count()).toBe(0);
        }
        expect(await tab.evaluate('document.body.dataset.ran ?? null')).toBeNull();
        expect(await tab.getByText(HOSTILE).count()).toBeGreaterThan(0);
        const push = tab.locator('article[data-action="push"] .action');
        expect(await push.first().textContent()).toContain('push');
        expect(await tab.locator('article[data-action="publish"]').count()).toBeGreaterThan(0);

        const widths = await tab.evaluate<{ scroll: number; body: number; viewport: number }>(
          '({ scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth, viewport: window.innerWidth })',
        );
        expect(widths.viewport).toBe(width);
        expect(widths.scroll).toBeLessThanOrEqual(width);
        expect(widths.body).toBeLessThanOrEqual(width);

        mkdirSync(reports, { recursive: true });
        await tab.screenshot({ path: `${reports}preview-${width}.png`, fullPage: true });

        expect(requested.filter((url) => !url.startsWith('data:'))).toEqual([PAGE_URL]);
        expect(failed.filter((url) => !url.startsWith('data:'))).toEqual([]);
      } finally {
        await context.close();
      }
    },
    60_000,
  );
});
