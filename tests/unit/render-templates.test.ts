import { describe, expect, it } from 'vitest';
import {
  type Statement,
  type TextProfile,
  formatStatementTime,
  hallSchema,
  parseStatement,
  renderText,
} from 'release-hall';
import {
  CORRECTION_CLOSING,
  DEFAULT_REBUTTAL_ADVICE,
  applyTemplate,
  chineseNumeral,
  fullTextParagraphs,
  renderFullText,
} from '../../src/render/templates.js';
import { rebuttal } from '../helpers/fixtures.js';
import { beijingRebuttal } from '../helpers/beijing.js';

const chars = (maxLength: number): TextProfile => ({
  name: `chars-${maxLength}`,
  maxLength,
  count: (text) => [...text].length,
  requiresSafeDomainLink: true,
  allowsTopics: false,
});

const hall = hallSchema.parse({
  id: 'bj',
  name: '北京微博发布厅',
  lead: 'fabu',
  site: { domain: 'www.beijing.gov.cn' },
  members: [
    {
      id: 'fabu',
      name: '北京市人民政府新闻办公室',
      shortName: '北京发布',
      accounts: { weibo: { handle: '北京发布', credentials: 'a' } },
    },
    {
      id: 'haidian',
      name: '北京市海淀区人民政府新闻办公室',
      shortName: '海淀',
      prefix: '【海淀发布】',
      signOff: '（海淀区融媒体中心）',
      accounts: { weibo: { handle: '海淀发布', credentials: 'b' } },
    },
  ],
});
const [fabu, haidian] = hall.members as [(typeof hall.members)[0], (typeof hall.members)[0]];

const base = {
  issuer: '北京市交通委员会',
  issuedAt: '2026-11-26T09:30:00+08:00',
  link: 'https://www.beijing.gov.cn/a.html',
};
const announcement = parseStatement({
  ...base,
  kind: 'announcement',
  headline: '地铁13号线11月28日起分段运营',
  body: '因施工需要，13号线西直门站至霍营站区段自2026年11月28日起暂停运营。期间可乘坐接驳公交。\n\n咨询电话12345。',
  facts: ['接驳公交每5分钟一班'],
  advice: '请合理安排出行。',
  keyFacts: ['12345'],
});
const update = parseStatement({
  ...base,
  kind: 'update',
  headline: '13号线恢复运营',
  body: '经抢修，13号线已于11月26日18时恢复全线运营。',
  refersTo: 'subway-13-2026-11-26',
});
const correction = parseStatement({
  ...base,
  kind: 'correction',
  headline: '13号线停运时间',
  body: '此前通告中停运开始时间“11月27日”有误。',
  facts: ['停运开始时间为11月28日'],
  refersTo: 'subway-13-2026-11-26',
  keyFacts: ['11月28日'],
});

describe('templates: rebuttal (辟谣)', () => {
  it('quotes the rumor, then the facts, the evidence and the advice; the body is full text only', async () => {
    const document = applyTemplate(await beijingRebuttal());
    expect(document.parts.map((part) => part.role)).toEqual([
      'rumor',
      'body',
      'body',
      'body',
      'body',
      'body',
      'fact',
      'fact',
      'fact',
      'evidence',
      'advice',
    ]);
    expect(document.parts[0]?.text).toBe('网传“北京地铁今晚全线停运”，经核实，此为谣言。');
    // the headline already quotes the rumor, so short posts leave the rumor sentence out
    expect(document.parts.filter((part) => !part.short).map((part) => part.role)).toEqual([
      'rumor',
      ...Array<string>(5).fill('body'),
    ]);
    const rumorElsewhere = applyTemplate({ ...(await beijingRebuttal()), headline: '辟谣' });
    expect(rumorElsewhere.parts[0]).toMatchObject({ role: 'rumor', short: true });
    // facts outrank the rumor, the advice and the evidence
    const rank = (role: string): number =>
      Math.min(...document.parts.filter((part) => part.role === role).map((part) => part.rank));
    expect(rank('fact')).toBeLessThan(rank('rumor'));
    expect(rank('rumor')).toBeLessThan(rank('advice'));
    expect(rank('advice')).toBeLessThan(rank('evidence'));
    expect(document.issuer).toBe('北京市交通委员会');
    expect(document.time).toEqual({ short: '11月26日9时30分', full: '2026年11月26日 9时30分' });
  });

  it('gives the default advice (请勿信谣、传谣) when the statement has none', () => {
    const { advice: _advice, ...withoutAdvice } = rebuttal;
    const document = applyTemplate(parseStatement(withoutAdvice));
    expect(document.parts.at(-1)).toMatchObject({ role: 'advice', text: DEFAULT_REBUTTAL_ADVICE });
    expect(document.advice).toBe(DEFAULT_REBUTTAL_ADVICE);
  });

  it('the demo rebuttal renders through the template: issuer, time, key facts and the link', async () => {
    const statement = await beijingRebuttal();
    const rendition = renderText(statement, {
      profile: chars(140),
      hall,
      member: fabu,
      handle: '北京发布',
    });
    expect(rendition.text).toMatch(
      /^【北京发布】网传"北京地铁今晚全线停运"不实：地铁各线路运营正常/,
    );
    expect(rendition.text).toContain('12345');
    expect(rendition.text.endsWith(` 详情：${statement.link}`)).toBe(true);
  });
});

describe('templates: announcement (通告)', () => {
  it('keeps the body sentence by sentence in paragraphs; the first sentence ranks highest', () => {
    const document = applyTemplate(announcement);
    expect(document.headline).toBe('地铁13号线11月28日起分段运营');
    expect(document.parts.map((part) => [part.role, part.paragraph])).toEqual([
      ['body', 0],
      ['body', 0],
      ['body', 1],
      ['fact', 2],
      ['advice', 3],
    ]);
    const [first, second, third, fact] = document.parts;
    expect(first!.rank).toBeLessThan(fact!.rank);
    expect(fact!.rank).toBeLessThan(second!.rank);
    expect(second!.rank).toBeLessThan(third!.rank);
  });

  it('the full text ends with the issuer, the full time and the sign-off', () => {
    const paragraphs = fullTextParagraphs(applyTemplate(announcement), { signOff: '（完）' });
    expect(paragraphs.slice(-3)).toEqual(['北京市交通委员会', '2026年11月26日 9时30分', '（完）']);
    expect(paragraphs[0]).toBe(
      '因施工需要，13号线西直门站至霍营站区段自2026年11月28日起暂停运营。期间可乘坐接驳公交。',
    );
    expect(renderFullText(announcement).split('\n\n')[0]).toBe('地铁13号线11月28日起分段运营');
  });
});

describe('templates: update (进展)', () => {
  it('is labelled and refers to the earlier campaign', () => {
    const document = applyTemplate(update);
    expect(document.headline).toBe('进展通报：13号线恢复运营');
    expect(document.parts[0]).toMatchObject({
      role: 'reference',
      text: '此前已就此事发布通报，现将最新进展通报如下。',
    });
    // the news outranks the reference sentence
    expect(document.parts[1]!.rank).toBeLessThan(document.parts[0]!.rank);
  });

  it('is numbered by its sequence and names the earlier statement when given', () => {
    const numbered = { ...update, sequence: 2 } as Statement;
    const document = applyTemplate(numbered, {
      earlier: { headline: '13号线部分区段停运', issuedAt: '2026-11-26T07:00:00+08:00' },
    });
    expect(document.headline).toBe('进展通报（二）：13号线恢复运营');
    expect(document.parts[0]?.text).toBe(
      '此前，北京市交通委员会于11月26日7时00分发布《13号线部分区段停运》，现将最新进展通报如下。',
    );
  });

  it('has no reference sentence without refersTo, and keeps a headline that already says 进展', () => {
    const { refersTo: _refersTo, ...rest } = update;
    const document = applyTemplate(parseStatement({ ...rest, headline: '13号线抢修进展' }));
    expect(document.headline).toBe('13号线抢修进展');
    expect(document.parts.some((part) => part.role === 'reference')).toBe(false);
  });

  it('joins a labelled headline to the text with 。 rather than a second ：', () => {
    const rendition = renderText(update, {
      profile: chars(500),
      hall,
      member: fabu,
      handle: '北京发布',
    });
    expect(rendition.text).toMatch(/^【北京发布】进展通报：13号线恢复运营。此前已就此事发布通报/);
  });
});

describe('templates: correction (更正)', () => {
  it('says what was wrong, what is right, and closes with 特此更正 in the full text only', () => {
    const document = applyTemplate(correction);
    expect(document.headline).toBe('更正：13号线停运时间');
    expect(document.parts.map((part) => part.role)).toEqual([
      'reference',
      'body',
      'fact',
      'closing',
    ]);
    const [reference, wrong, right, closing] = document.parts;
    expect(right!.rank).toBeLessThan(wrong!.rank);
    expect(wrong!.rank).toBeLessThan(reference!.rank);
    expect(closing).toMatchObject({ text: CORRECTION_CLOSING, short: false });
    expect(renderFullText(correction)).toContain('停运开始时间为11月28日。\n\n特此更正。');
  });

  it('a summary keeps what is right before what was wrong', () => {
    const rendition = renderText(correction, {
      profile: chars(75),
      hall,
      member: fabu,
      handle: '北京发布',
    });
    expect(rendition.summarised).toBe(true);
    expect(rendition.text).toContain('停运开始时间为11月28日。');
    expect(rendition.text).not.toContain('有误');
  });
});

describe('per-member personalisation', () => {
  it('prefix from the hall naming rule or the member, sign-off after the issuer and time', () => {
    const options = { profile: chars(500), hall };
    const lead = renderText(announcement, { ...options, member: fabu, handle: '北京发布' });
    const district = renderText(announcement, { ...options, member: haidian, handle: '海淀发布' });
    expect(lead.text.startsWith('【北京发布】')).toBe(true);
    expect(district.text.startsWith('【海淀发布】')).toBe(true);
    expect(district.text).toContain(
      '（北京市交通委员会 11月26日9时30分）（海淀区融媒体中心） 详情：',
    );
    const custom = hallSchema.parse({ ...hall, naming: { prefix: '【{short}·辟谣】' } });
    const renamed = renderText(announcement, {
      ...options,
      hall: custom,
      member: custom.members[0]!,
      handle: '北京发布',
    });
    expect(renamed.text.startsWith('【北京发布·辟谣】')).toBe(true);
  });

  it('a key fact outranks the sign-off when room is short', () => {
    const rendition = renderText(announcement, {
      profile: chars(80),
      hall,
      member: haidian,
      handle: '海淀发布',
    });
    expect(rendition.text).toContain('12345');
    expect(rendition.text).not.toContain('海淀区融媒体中心');
  });
});

describe('times and numerals', () => {
  it('writes times in Asia/Shanghai, short and full, whatever the offset given', () => {
    expect(formatStatementTime('2026-11-26T01:30:00Z', 'full')).toBe('2026年11月26日 9时30分');
    expect(formatStatementTime('2026-12-31T16:05:00Z', 'full')).toBe('2027年1月1日 0时05分');
    expect(formatStatementTime('2026-11-26T09:30:00-05:00')).toBe('11月26日22时30分');
  });

  it('numbers follow-ups in Chinese numerals', () => {
    expect([1, 2, 10, 12, 20, 21, 99, 100].map(chineseNumeral)).toEqual([
      '一',
      '二',
      '十',
      '十二',
      '二十',
      '二十一',
      '九十九',
      '100',
    ]);
  });
});
