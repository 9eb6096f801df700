import { describe, expect, it } from 'vitest';
import {
  type AdapterLimits,
  type ArticleRendition,
  type TextProfile,
  hallSchema,
  parseStatement,
  renderText,
} from 'release-hall';
import { splitSentences } from '../../src/render/split-text.js';
import { countWeiboText } from '../../adapters/weibo/count-weibo-text.js';
import {
  fitsArticleProfile,
  fitsProfile,
  limitsFor,
  measureArticle,
  measureRendition,
  measureText,
} from '../../src/render/fit-profile.js';
import { layoutStatement, protectedNames } from '../../src/render/layout.js';
import { renderStatement } from '../../src/render/render-statement.js';
import {
  closeSentence,
  containsFact,
  findNumbers,
  splitClauses,
} from '../../src/render/split-text.js';

const chars = (maxLength: number, link = true): TextProfile => ({
  name: `chars-${maxLength}`,
  maxLength,
  count: (text) => [...text].length,
  requiresSafeDomainLink: link,
  allowsTopics: false,
});
const weibo: TextProfile = {
  name: 'weibo-140',
  maxLength: 140,
  count: countWeiboText,
  requiresSafeDomainLink: true,
  allowsTopics: false,
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
      accounts: { weibo: { handle: '北京发布', credentials: 'a' } },
    },
  ],
});
const member = hall.members[0]!;
const link = 'https://www.beijing.gov.cn/zhengce/2026/1126/notice.html';
const statement = parseStatement({
  kind: 'announcement',
  headline: '关于地铁13号线分段运营的通告',
  body: '因施工需要，13号线西直门站至霍营站区段自2026年11月28日起暂停运营，预计持续30天。期间开通接驳公交，首班车6:30发车，末班车23:00发车。如有疑问，请拨打市民服务热线12345或010-12345678咨询。',
  issuer: '北京市交通委员会',
  issuedAt: '2026-11-26T09:30:00+08:00',
  link,
  keyFacts: ['010-12345678', '2026年11月28日'],
});

describe('where a statement may be cut', () => {
  it('never splits a sentence inside a link, a quotation or a number', () => {
    expect(
      splitSentences(
        '详见https://www.example.gov.cn/a?id=1;b=2!官方发布。他说：“停运。恢复！”随后核实。',
      ),
    ).toEqual([
      '详见https://www.example.gov.cn/a?id=1;b=2!官方发布。',
      '他说：“停运。恢复！”随后核实。',
    ]);
    expect(splitSentences('票价3.5元。第二句')).toEqual(['票价3.5元。', '第二句']);
  });

  it('splits clauses only outside protected spans, and joining gives the sentence back', () => {
    const sentence =
      '网传“甲，乙”不实，约1,000人于9:30到场，电话010-12345678，详见《通知，附件》。';
    const clauses = splitClauses(sentence);
    expect(clauses).toEqual([
      '网传“甲，乙”不实，',
      '约1,000人于9:30到场，',
      '电话010-12345678，',
      '详见《通知，附件》。',
    ]);
    expect(clauses.join('')).toBe(sentence);
    expect(splitClauses('北京市交通委员会，北京市公安局', ['委员会，北京'])).toEqual([
      '北京市交通委员会，北京市公安局',
    ]);
  });

  it('closes clause runs as sentences and finds whole numbers', () => {
    expect(closeSentence('可拨打12345咨询，')).toBe('可拨打12345咨询。');
    expect(closeSentence('网传“停运”')).toBe('网传“停运”。');
    expect(closeSentence('已恢复！')).toBe('已恢复！');
    expect(findNumbers('电话010-12345678，9:30，票价3.5元 https://a.cn/123')).toEqual([
      '010-12345678',
      '9:30',
      '3.5',
    ]);
  });

  it('a key fact only inside a link is not carried', () => {
    expect(containsFact('详见 https://www.beijing.gov.cn/12345.html', '12345')).toBe(false);
    expect(containsFact('请拨打12345', '12345')).toBe(true);
    expect(containsFact(`详见 ${link}`, link)).toBe(true);
  });
});

describe('layout once per statement and hall', () => {
  it('protects only names a cut could fall in, and lays a statement out once per hall', () => {
    const marked = hallSchema.parse({
      ...hall,
      members: [
        ...hall.members,
        { ...member, id: 'x', name: '北京市（测试）办公室', shortName: '甲，乙' },
      ],
    });
    expect(protectedNames(statement, marked)).toEqual(['北京市（测试）办公室', '甲，乙']);
    expect(protectedNames(statement, hall)).toEqual([]);
    expect(layoutStatement(statement, hall)).toBe(layoutStatement(statement, hall));
    expect(layoutStatement(statement, marked)).not.toBe(layoutStatement(statement, hall));
    const earlier = { headline: '此前' };
    expect(layoutStatement(statement, hall, earlier)).not.toBe(
      layoutStatement(statement, hall, earlier),
    );
  });
});

describe('the summary rule', () => {
  it('keeps the headline, carries key facts by the smallest whole clauses, and ends with the link', () => {
    const rendition = renderText(statement, { profile: weibo, hall, member, handle: '北京发布' });
    expect(rendition.summarised).toBe(true);
    expect(rendition.length).toBeLessThanOrEqual(140);
    expect(rendition.text.startsWith('【北京发布】关于地铁13号线分段运营的通告：')).toBe(true);
    expect(rendition.text.endsWith(` 详情：${link}`)).toBe(true);
    expect(rendition.text).toContain('010-12345678');
    expect(rendition.text).toContain('2026年11月28日');
    for (const number of findNumbers(rendition.text)) {
      expect(findNumbers(`${statement.body}11月26日9时30分`)).toContain(number);
    }
  });

  it('prefers whole sentences, and falls back to the clause holding the key fact', () => {
    const options = { hall, member, handle: '北京发布' };
    const roomy = renderText(statement, { ...options, profile: { ...weibo, maxLength: 64 } });
    expect(roomy.text).toContain('：如有疑问，请拨打市民服务热线12345或010-12345678咨询。 详情：');
    // Both key facts fit only as their clauses: the first one is not grown back to its sentence.
    const tight = renderText(statement, { ...options, profile: { ...weibo, maxLength: 85 } });
    expect(tight.text).toBe(
      `【北京发布】关于地铁13号线分段运营的通告：13号线西直门站至霍营站区段自2026年11月28日起暂停运营。请拨打市民服务热线12345或010-12345678咨询。 详情：${link}`,
    );
    expect(tight.length).toBe(83);
  });

  it('key facts come in the order the statement lists them when only one fits', () => {
    const rendition = renderText(statement, {
      profile: { ...weibo, maxLength: 58 },
      hall,
      member,
      handle: '北京发布',
    });
    expect(rendition.text).toContain('：请拨打市民服务热线12345或010-12345678咨询。');
    expect(rendition.text).not.toContain('2026年11月28日');
  });

  it('fits whole without a link when the platform does not require one', () => {
    const rendition = renderText(statement, {
      profile: chars(400, false),
      hall,
      member,
      handle: '北京发布',
    });
    expect(rendition.summarised).toBe(false);
    expect(rendition.link).toBeUndefined();
    expect(rendition.text.endsWith('（北京市交通委员会 11月26日9时30分）')).toBe(true);
  });
});

describe('fitting helpers', () => {
  const article: ArticleRendition = {
    format: 'article',
    title: '标题',
    author: '北京发布',
    digest: '摘要',
    html: '<p>正文</p>',
    sourceUrl: link,
  };
  const wechat = { titleMax: 32, authorMax: 16, digestMax: 128, contentMaxChars: 20_000 };

  it('fitsProfile and measureText use the profile’s own count', () => {
    expect(fitsProfile('我司CEO！', { ...weibo, maxLength: 5 })).toBe(true);
    expect(fitsProfile('我司CEO！', { ...weibo, maxLength: 4 })).toBe(false);
    expect(measureText(`通知 ${link}`, weibo)).toEqual({ count: 13, limit: 140, fits: true });
  });

  it('measures every article field, content strictly under its limit', () => {
    expect(fitsArticleProfile(article, wechat)).toBe(true);
    const measured = measureArticle(
      { ...article, html: 'x'.repeat(10) },
      { ...wechat, contentMaxChars: 10 },
    );
    expect(measured.content).toEqual({ count: 10, limit: 9, fits: false });
    expect(measured.fits).toBe(false);
    expect(measureArticle({ ...article, title: '长'.repeat(33) }, wechat).title.fits).toBe(false);
  });

  it('measureRendition takes adapter limits; limitsFor reads maps, objects and bare profiles', () => {
    const limits = { text: weibo, format: 'article', article: wechat } as const;
    expect(measureRendition(article, limits)).toMatchObject({
      fits: true,
      count: 9,
      limit: 19_999,
    });
    expect(measureRendition(article, { text: weibo }).fits).toBe(false);
    expect(
      limitsFor(new Map([['weibo', { limits: limits as unknown as AdapterLimits }]]), 'weibo')
        ?.article,
    ).toBe(wechat);
    expect(limitsFor({ weibo }, 'weibo')).toEqual({ text: weibo });
    expect(limitsFor({ weibo }, 'toString')).toBeUndefined();
  });

  it('renderStatement gives an article where the platform takes articles, text otherwise', () => {
    const options = { hall, member, handle: '北京发布' };
    const articleLimits = { text: weibo, format: 'article', article: wechat } as const;
    expect(renderStatement(statement, { ...options, limits: articleLimits }).format).toBe(
      'article',
    );
    expect(
      renderStatement(statement, { ...options, limits: articleLimits, relay: true }).format,
    ).toBe('text');
    expect(renderStatement(statement, { ...options, limits: { text: weibo } }).format).toBe('text');
  });
});
