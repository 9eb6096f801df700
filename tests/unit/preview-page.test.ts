import { describe, expect, it } from 'vitest';
import {
  type AccountPreview,
  type LintFinding,
  type RenditionPreview,
  renderPreviewPage,
} from 'release-hall';
import { lintStatement } from '../../src/lint/lint-statement.js';
import { pushQuotaOf } from '../../src/render/preview-page.js';
import {
  articleParagraphs,
  escapeHtml,
  findingPhrase,
  markText,
} from '../../src/render/preview-page-text.js';
import { rebuttal } from '../helpers/fixtures.js';

const HOSTILE = `<script>alert("x")</script> it's "quoted" & <img src=x onerror=alert(1)>`;

const chatty: LintFinding = {
  severity: 'warning',
  rule: 'discouraged-phrase',
  path: 'advice',
  message: '"小伙伴们" in advice: a chatty form of address (小伙伴们)',
  fix: 'address readers as 广大市民',
  phrase: '小伙伴们',
};
const offSite: LintFinding = {
  severity: 'warning',
  rule: 'link-outside-safe-domain',
  path: 'renditions[b/tencent]',
  message: 'the rendition of b/tencent links to https://evil.example/x, which is not on gov.cn',
  fix: 'remove the link',
  accountId: 'b/tencent',
  phrase: 'https://evil.example/x',
};

function account(
  fields: Partial<AccountPreview> & Pick<AccountPreview, 'accountId' | 'platform'>,
): AccountPreview {
  return {
    order: 1,
    action: 'post',
    format: 'text',
    count: 0,
    findings: [],
    ...fields,
  };
}

const accounts: AccountPreview[] = [
  account({
    order: 1,
    accountId: 'a/weibo',
    platform: 'weibo',
    handle: `北京发布${HOSTILE}`,
    text: `【北京发布】小伙伴们请勿信谣传谣。${HOSTILE} 详情：https://www.beijing.gov.cn/a.html`,
    count: 134,
    limit: 140,
    fits: true,
    summarised: true,
  }),
  account({
    order: 2,
    accountId: 'b/weibo',
    platform: 'weibo',
    handle: '平安北京',
    action: 'relay',
    after: 1,
    text: '【平安北京】请勿信谣传谣。',
    count: 151,
    limit: 140,
    fits: false,
  }),
  account({
    order: 3,
    accountId: 'b/tencent',
    platform: 'tencent',
    handle: 'bjpolice',
    text: '请勿信谣传谣 https://evil.example/x 小伙伴们',
    count: 77,
    limit: 420,
    fits: true,
    findings: [offSite],
  }),
  account({
    order: 4,
    accountId: 'a/wechat',
    platform: 'wechat',
    handle: '北京发布',
    action: 'push',
    format: 'article',
    note: 'push: 3 of 4 pushes left this month',
    article: {
      title: `网传${HOSTILE}不实`,
      digest: '小伙伴们请勿信谣传谣',
      html: '<p>经核实，&quot;此为谣言&quot;。</p><script>alert(1)</script><p style="x>y">小伙伴们请勿信谣</p><img src="https://evil.example/i.png">',
      sourceUrl: 'https://www.beijing.gov.cn/a.html',
      cover: 'https://evil.example/cover.jpg',
    },
    count: 453,
    limit: 19_999,
    fits: true,
  }),
  account({
    order: 5,
    accountId: 'b/wechat',
    platform: 'wechat',
    handle: '平安北京',
    action: 'post',
    format: 'article',
    article: {
      title: '网传不实',
      digest: '摘要',
      html: '<p>正文</p>',
      sourceUrl: 'https://www.beijing.gov.cn/a.html',
      cover: '/halls/beijing/cover.jpg',
    },
    count: 11,
    limit: 19_999,
    fits: true,
  }),
];

const preview: RenditionPreview = {
  campaignId: 'c1',
  mode: 'relay',
  accounts,
  findings: [chatty],
  totals: {
    accounts: 5,
    posts: 3,
    relays: 1,
    fit: 4,
    over: 1,
    unmeasured: 0,
    errors: 0,
    warnings: 2,
    byPlatform: { weibo: 2, tencent: 1, wechat: 2 },
  },
};

/** The HTML of the card of `accountId`. */
function cardOf(page: string, accountId: string): string {
  const start = page.indexOf(`data-account="${escapeHtml(accountId)}"`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf('</article>', start));
}

describe('renderPreviewPage', () => {
  const page = renderPreviewPage(
    { table: preview, refusals: [{ path: 'images[0]', message: `bad ${HOSTILE}` }] },
    {
      approval: { required: 2, approvedBy: ['chen<b>'], urgency: 'urgent' },
      images: { '/halls/beijing/cover.jpg': 'data:image/jpeg;base64,/9j/AAAA' },
    },
  );

  it('escapes every text it shows: no tag or attribute of the statement survives', () => {
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('onerror=alert(1)>');
    expect(page).not.toContain('"quoted"');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; it&#39;s');
    expect(page).toContain('chen&lt;b&gt;');
    // The article's own HTML is shown as text, scripts dropped.
    expect(page).not.toContain('alert(1)</script>');
    expect(page).toContain('经核实，&quot;此为谣言&quot;。');
  });

  it('shows one card per account, grouped by platform, each with its handle', () => {
    expect(page.match(/<article /g)).toHaveLength(accounts.length);
    for (const entry of accounts) expect(cardOf(page, entry.accountId)).toContain('class="card');
    const order = ['data-platform="weibo"', 'data-platform="tencent"', 'data-platform="wechat"'];
    const positions = order.map((marker) => page.indexOf(`<section class="platform" ${marker}`));
    expect(positions.every((position) => position > -1)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(cardOf(page, 'b/weibo')).toContain('平安北京');
  });

  it('shows the counted length against the limit, and says when it is over', () => {
    expect(cardOf(page, 'a/weibo')).toContain('134 / 140');
    expect(cardOf(page, 'a/weibo')).toContain('data-count="134" data-limit="140"');
    expect(cardOf(page, 'b/tencent')).toContain('77 / 420');
    expect(cardOf(page, 'b/weibo')).toContain('count-over');
    expect(cardOf(page, 'b/weibo')).toContain('151 / 140');
    expect(cardOf(page, 'a/wechat')).toContain('453 / 19999');
  });

  it('marks the phrase a finding is about, where it stands in each text', () => {
    const mark = (phrase: string, rule: string): RegExp =>
      new RegExp(`<mark class="lint lint-warning" data-rule="${rule}"[^>]*>${phrase}</mark>`);
    // The statement's finding: in every card whose text carries the phrase.
    expect(cardOf(page, 'a/weibo')).toMatch(mark('小伙伴们', 'discouraged-phrase'));
    expect(cardOf(page, 'a/weibo')).toContain('【北京发布】<mark');
    expect(cardOf(page, 'b/tencent')).toMatch(mark('小伙伴们', 'discouraged-phrase'));
    expect(cardOf(page, 'a/wechat')).toMatch(mark('小伙伴们', 'discouraged-phrase'));
    expect(cardOf(page, 'b/weibo')).not.toContain('<mark');
    // An account's finding: in that card only.
    expect(cardOf(page, 'b/tencent')).toMatch(
      mark('https://evil.example/x', 'link-outside-safe-domain'),
    );
    expect(cardOf(page, 'b/tencent')).toContain('links to https://evil.example/x');
  });

  it('labels WeChat pushes and publishes, the push quota, posts and relays', () => {
    expect(cardOf(page, 'a/wechat')).toContain('data-action="push"');
    expect(cardOf(page, 'a/wechat')).toContain('push: to every follower');
    expect(cardOf(page, 'a/wechat')).toContain('pushes 3 of 4 left this month');
    expect(cardOf(page, 'b/wechat')).toContain('data-action="publish"');
    expect(cardOf(page, 'b/wechat')).toContain('publish: no push');
    expect(cardOf(page, 'a/weibo')).toContain('data-action="post"');
    expect(cardOf(page, 'b/weibo')).toContain('relay of #1');
    expect(page).toContain('WeChat: 1 push, 1 publish');
  });

  it('shows the gate and what publish would refuse', () => {
    expect(page).toContain('data-gate="short" data-required="2" data-present="1"');
    expect(page).toContain('approvals: 1 of 2 required (urgency urgent)');
    expect(page).toContain('Publish would refuse this campaign');
    const open = renderPreviewPage(preview, { approval: { required: 1, approvedBy: ['a', 'b'] } });
    expect(open).toContain('data-gate="open"');
    expect(renderPreviewPage(preview)).toContain('approvals: not checked in this preview');
    const none = renderPreviewPage(preview, { approval: { required: 0 } });
    expect(none).toContain('data-gate="open"');
    expect(none).toContain('approvals: none required');
  });

  it('references nothing on the network: no src or href to http(s), no @import, no url()', () => {
    expect(page).not.toMatch(/\b(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/@import/i);
    expect(page).not.toMatch(/url\(\s*["']?\s*(?:https?:)?\/\//i);
    expect(page).not.toMatch(/<(?:script|link|iframe|object|embed)\b/i);
    // The remote cover is a placeholder; the local one is inlined as given.
    expect(cardOf(page, 'a/wechat')).toContain('cover-placeholder');
    expect(cardOf(page, 'b/wechat')).toContain('src="data:image/jpeg;base64,/9j/AAAA"');
    expect(page).toContain("default-src 'none'");
  });

  it('is usable on a phone: a viewport, no fixed width wider than 360 px outside a media query', () => {
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    const widths = [...page.matchAll(/(?<![-\w(])(?:min-)?width:\s*(\d+)px/g)].map((match) =>
      Number(match[1]),
    );
    expect(widths.every((width) => width <= 360)).toBe(true);
  });
});

describe('the text of the page', () => {
  it('finds the phrase of the linter’s own findings', () => {
    const lint = lintStatement(
      { ...rebuttal, advice: '小伙伴们请勿信谣传谣。' },
      { hall: { site: { domain: 'www.beijing.gov.cn' } } as never },
    );
    const found = lint.findings.find((entry) => entry.rule === 'discouraged-phrase');
    expect(found).toBeDefined();
    expect(findingPhrase(found!)).toBe('小伙伴们');
    // The topic rule names its topic; a finding about something missing names no phrase.
    const topics = lintStatement(
      { ...rebuttal, body: `${rebuttal.body} #地铁#` },
      {
        hall: { site: { domain: 'www.beijing.gov.cn' } } as never,
        profiles: new Map([['weibo', { text: { allowsTopics: false } }]]) as never,
        renditions: [],
      },
    ).findings.find((entry) => entry.rule === 'topic-on-share-only');
    expect(topics === undefined ? undefined : findingPhrase(topics)).toBe('#地铁#');
    const { phrase: _phrase, ...missing } = chatty;
    expect(findingPhrase({ ...missing, rule: 'missing-issuer' })).toBeUndefined();
  });

  it('marks every occurrence, escaped, and leaves overlaps to the first', () => {
    const marked = markText('a<b 小伙伴们 and 小伙伴们们', [
      { phrase: '小伙伴们', finding: chatty },
      { phrase: '伙伴', finding: chatty },
    ]);
    expect(marked.startsWith('a&lt;b <mark')).toBe(true);
    expect(marked.match(/<mark /g)).toHaveLength(2);
    expect(marked.endsWith('</mark>们')).toBe(true);
  });

  it('reads an article as paragraphs of text', () => {
    expect(
      articleParagraphs(
        '<p>一&amp;二</p><style>p{}</style><p title="a>b">三<br>四</p><!-- x --><img src="y">',
      ),
    ).toEqual(['一&二', '三', '四', '[image]']);
  });

  it('reads the push quota from the plan’s note', () => {
    expect(pushQuotaOf('push: 1 of 1 pushes left today')).toBe('1 of 1 left today');
    expect(pushQuotaOf('published, not pushed')).toBeUndefined();
    expect(pushQuotaOf(undefined)).toBeUndefined();
  });
});
