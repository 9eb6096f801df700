import { describe, expect, it } from 'vitest';
import { type ArticleProfile, ReleaseHallError, hallSchema, parseStatement } from 'release-hall';
import {
  ARTICLE_SHORTENED_NOTE,
  escapeHtml,
  renderArticle,
} from '../../src/render/render-article.js';
import { beijingRebuttal } from '../helpers/beijing.js';

const wechat: ArticleProfile = {
  titleMax: 32,
  authorMax: 16,
  digestMax: 128,
  contentMaxChars: 20_000,
};
const hall = hallSchema.parse({
  id: 'bj',
  name: '北京微博发布厅',
  lead: 'fabu',
  members: [
    {
      id: 'fabu',
      name: '北京市人民政府新闻办公室',
      shortName: '北京发布',
      signOff: '（北京发布）',
      accounts: { wechat: { handle: '北京发布', credentials: 'a' } },
    },
    {
      id: 'long',
      name: '北京市朝阳区人民政府新闻办公室',
      shortName: '北京市朝阳区人民政府新闻办公室官方账号',
      accounts: { wechat: { handle: '朝阳发布', credentials: 'b' } },
    },
  ],
});
const [fabu, long] = hall.members as [(typeof hall.members)[0], (typeof hall.members)[0]];
const options = { profile: wechat, hall, member: fabu, handle: '北京发布' };

describe('renderArticle', () => {
  it('fills every field within the WeChat limits from the rebuttal template', async () => {
    const statement = await beijingRebuttal();
    const article = renderArticle(statement, options);
    expect(article.format).toBe('article');
    expect(article.title).toBe('网传"北京地铁今晚全线停运"不实');
    expect(article.author).toBe('北京发布');
    expect(article.digest.length).toBeLessThanOrEqual(128);
    expect(article.digest).toContain('地铁各线路运营正常');
    expect(article.digest).toContain('12345');
    expect(article.sourceUrl).toBe(statement.link);
    expect(article.cover).toBe(statement.images[0]);
    expect(article.html.startsWith('<p>网传“北京地铁今晚全线停运”，经核实，此为谣言。</p>')).toBe(
      true,
    );
    expect(article.html).toContain(escapeHtml(statement.evidence ?? ''));
    expect(
      article.html.endsWith(
        '<p style="text-align:right">北京市交通委员会</p><p style="text-align:right">2026年11月26日 9时30分</p><p style="text-align:right">（北京发布）</p>',
      ),
    ).toBe(true);
  });

  it('escapes the text and takes the first image as the cover', () => {
    const statement = parseStatement({
      kind: 'announcement',
      headline: '关于<b>测试</b>的通告',
      body: '请勿点击 <script>alert("x")</script> & 其他链接。',
      issuer: '北京市网信办',
      issuedAt: '2026-11-26T09:30:00+08:00',
      link: 'https://www.beijing.gov.cn/a.html',
      images: ['media-id-1', 'media-id-2'],
    });
    const article = renderArticle(statement, options);
    expect(article.html).toContain(
      '<p>请勿点击 &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 其他链接。</p>',
    );
    expect(article.cover).toBe('media-id-1');
  });

  it('shortens a long headline only at clause boundaries, never inside a quotation or number', () => {
    const statement = parseStatement({
      kind: 'announcement',
      headline: '关于“地铁13号线，昌平线”自2026年11月28日起分段运营，部分站点临时封闭的通告',
      body: '正文。',
      issuer: '北京市交通委员会',
      issuedAt: '2026-11-26T09:30:00+08:00',
      link: 'https://www.beijing.gov.cn/a.html',
    });
    expect(renderArticle(statement, options).title).toBe(
      '关于“地铁13号线，昌平线”自2026年11月28日起分段运营',
    );
    expect(() =>
      renderArticle(statement, { ...options, profile: { ...wechat, titleMax: 10 } }),
    ).toThrow(/no leading clause of at most 10 characters/);
    try {
      renderArticle(statement, { ...options, profile: { ...wechat, titleMax: 10 } });
    } catch (error) {
      expect(ReleaseHallError.isInstance(error) && error.code).toBe('CONTENT_REJECTED');
    }
  });

  it('uses the account name as author when the short name is too long, and leaves it out when nothing fits', async () => {
    const statement = await beijingRebuttal();
    expect(renderArticle(statement, { ...options, member: long, handle: '朝阳发布' }).author).toBe(
      '朝阳发布',
    );
    const nameless = renderArticle(statement, {
      ...options,
      member: long,
      handle: '朝阳发布',
      profile: { ...wechat, authorMax: 2 },
    });
    expect(nameless.author).toBeUndefined();
  });

  it('shortens content over the limit by the summary rule, keeps the key facts and points to the source', async () => {
    const statement = await beijingRebuttal();
    const article = renderArticle(statement, {
      ...options,
      profile: { ...wechat, contentMaxChars: 400 },
    });
    expect(article.html.length).toBeLessThan(400);
    expect(article.html).toContain(`<p>${ARTICLE_SHORTENED_NOTE}</p>`);
    expect(article.html).toContain('地铁各线路运营正常');
    expect(article.html).toContain('12345');
    expect(() =>
      renderArticle(statement, { ...options, profile: { ...wechat, contentMaxChars: 50 } }),
    ).toThrow(/not even the issuer and time fit/);
  });
});
