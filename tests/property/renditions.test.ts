/**
 * Property tests of renditions: for thousands of generated statements (Chinese, ASCII, digits,
 * links, phone numbers, dates and times, quotations), under Weibo's count, Tencent's 420 bytes with
 * links counted as 11, and WeChat's article limits:
 *
 * - every rendition fits its platform (or the headline alone cannot fit, and rendering says so);
 * - every key fact appears verbatim in every rendition long enough to carry it, and a rendition
 *   that leaves one out ends with the full-text link;
 * - no rendition cuts a key fact, a number, a link or a quotation.
 *
 * The checks below count and search with their own code, not the renderer's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ArticleProfile,
  type Hall,
  type Member,
  type Statement,
  type TextProfile,
  type TextRendition,
  ReleaseHallError,
  formatStatementTime,
  memberPrefix,
  hallSchema,
  parseStatement,
  renderText,
} from 'release-hall';
import { countWeiboText } from '../../adapters/weibo/count-weibo-text.js';
import { countTencentText } from '../../adapters/tencent/count-tencent-text.js';
import { lintStatement } from '../../src/lint/lint-statement.js';
import { renderArticle } from '../../src/render/render-article.js';
import { renderStatement } from '../../src/render/render-statement.js';
import { applyTemplate } from '../../src/render/templates.js';

/** Runs per rendition property; all properties together stay well under ten seconds. */
const RUNS = 1200;
/** Runs of the linter properties (each lints a whole hall's renditions). */
const LINT_RUNS = 300;

// ---------------------------------------------------------------------------------------------
// Profiles under test

const weiboShare: TextProfile = {
  name: 'weibo-share-140',
  maxLength: 140,
  count: countWeiboText,
  requiresSafeDomainLink: true,
  allowsTopics: false,
};
const weiboUpdate: TextProfile = {
  ...weiboShare,
  name: 'weibo-update-140',
  requiresSafeDomainLink: false,
  allowsTopics: true,
};
const tencent: TextProfile = {
  name: 'tencent-420-bytes',
  maxLength: 420,
  count: countTencentText,
  requiresSafeDomainLink: false,
  allowsTopics: true,
};
const wechat: ArticleProfile = {
  titleMax: 32,
  authorMax: 16,
  digestMax: 128,
  contentMaxChars: 20_000,
};
const wechatTight: ArticleProfile = { ...wechat, contentMaxChars: 500 };
const linted = {
  weibo: { text: weiboShare },
  tencent: { text: tencent },
  wechat: { text: tencent, format: 'article' as const, article: wechat },
};

// ---------------------------------------------------------------------------------------------
// Generators

const LINK = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/gi;
const withoutLinks = (text: string): string => text.replace(LINK, ' ');
/** Whole numbers as a reader sees them: digits with ASCII separators inside (010-12345678, 3.5). */
const numbersIn = (text: string): string[] =>
  withoutLinks(text).match(/[0-9]+(?:[.,:\-/][0-9]+)*/g) ?? [];
const count = (text: string, part: string): number =>
  part === '' ? 0 : text.split(part).length - 1;

interface Token {
  readonly text: string;
  /** A token a statement could mark as a key fact. */
  readonly fact: boolean;
}

const cjk = fc
  .string({
    unit: fc.integer({ min: 0x4e00, max: 0x9fa5 }).map((code) => String.fromCodePoint(code)),
    minLength: 1,
    maxLength: 6,
  })
  .map((text): Token => ({ text, fact: false }));
const word = fc
  .constantFrom(
    '地铁',
    '运营',
    '正常',
    '市民',
    '热线',
    '咨询',
    '交通',
    '发布',
    '通知',
    '核实',
    '停运',
    '安排',
    '天气',
    '预警',
    '道路',
    '封闭',
    '学校',
    '停课',
    '医院',
    '就诊',
    '供水',
    '恢复',
    '社区',
    '居民',
    '暂停',
    '开放',
  )
  .map((text): Token => ({ text, fact: false }));
const ascii = fc
  .constantFrom('CEO', 'PM2.5', 'APP', 'Line 13', 'ok', 'WiFi', 'No.7', 'A/B', ' Test ')
  .map((text): Token => ({ text, fact: false }));
const phone = fc
  .oneof(
    fc.constantFrom('12345', '12315', '110', '120', '010-12345678', '400-810-5000'),
    fc
      .tuple(
        fc.constantFrom('010', '021', '0755'),
        fc.integer({ min: 10_000_000, max: 99_999_999 }),
      )
      .map(([area, rest]) => `${area}-${rest}`),
    fc.integer({ min: 10_000, max: 99_999 }).map(String),
  )
  .map((text): Token => ({ text, fact: true }));
const date = fc
  .tuple(
    fc.integer({ min: 2020, max: 2030 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.nat(3),
  )
  .map(([year, month, day, style]): Token => {
    const text =
      [
        `${year}年${month}月${day}日`,
        `${month}月${day}日`,
        `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
        `${month}月${day}日${day % 24}时30分`,
      ][style] ?? '';
    return { text, fact: true };
  });
const time = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
  .map(([hour, minute]): Token => ({
    text: `${hour}:${String(minute).padStart(2, '0')}`,
    fact: true,
  }));
const amount = fc
  .oneof(fc.constantFrom('3.5', '1,000', '12.75', '0.5'), fc.nat(100_000).map(String))
  .map((text): Token => ({ text: `${text}人`, fact: true }));
const name = fc
  .constantFrom(
    '北京市交通委员会',
    '北京市公安局',
    '海淀区人民政府',
    '北京市地铁运营有限公司',
    '京港地铁',
    '北京市应急管理局',
  )
  .map((text): Token => ({ text, fact: true }));
const quoted = fc
  .tuple(
    fc.constantFrom('“', '"', '《'),
    fc.array(fc.oneof(word, cjk), { minLength: 1, maxLength: 3 }),
    fc.constantFrom('，', '。', ''),
  )
  .map(([open, inner, mark]): Token => {
    const close = open === '“' ? '”' : open === '《' ? '》' : '"';
    return { text: `${open}${inner.map((token) => token.text).join(mark)}${close}`, fact: true };
  });
const link = fc
  .oneof(
    fc.constantFrom(
      'https://www.example.gov.cn/a.html',
      'http://t.cn/AbCd12',
      'https://weibo.com/123/abc',
    ),
    fc
      .string({ unit: fc.constantFrom(...'abcdefghij0123456789/_-'), minLength: 1, maxLength: 220 })
      .map((path) => `https://www.example.gov.cn/${path}`),
  )
  .map((text): Token => ({ text: ` ${text} `, fact: false }));

const token = fc.oneof(
  { arbitrary: word, weight: 6 },
  { arbitrary: cjk, weight: 3 },
  { arbitrary: ascii, weight: 1 },
  { arbitrary: phone, weight: 2 },
  { arbitrary: date, weight: 1 },
  { arbitrary: time, weight: 1 },
  { arbitrary: amount, weight: 1 },
  { arbitrary: name, weight: 1 },
  { arbitrary: quoted, weight: 1 },
  { arbitrary: link, weight: 1 },
);
const clause = fc.array(token, { minLength: 1, maxLength: 5 });
const sentence = fc
  .tuple(
    fc.array(clause, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('，', '、', '：'),
    fc.constantFrom('。', '！', '？', '；'),
  )
  .map(([clauses, joiner, end]) => ({
    text: `${clauses.map((tokens) => tokens.map((item) => item.text).join('')).join(joiner)}${end}`,
    tokens: clauses.flat(),
  }));
const prose = fc
  .array(fc.array(sentence, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 })
  .map((paragraphs) => ({
    text: paragraphs.map((sentences) => sentences.map((item) => item.text).join('')).join('\n\n'),
    tokens: paragraphs.flat().flatMap((item) => item.tokens),
  }));
const headline = fc
  .oneof(
    {
      arbitrary: fc.array(fc.oneof(word, name, phone, date), { minLength: 1, maxLength: 4 }),
      weight: 8,
    },
    {
      arbitrary: fc.array(fc.oneof(word, cjk, quoted), { minLength: 10, maxLength: 40 }),
      weight: 1,
    },
  )
  .map(
    (tokens) =>
      tokens
        .map((item) => item.text)
        .join('')
        .trim() || '通知',
  );

interface Case {
  readonly statement: Statement;
  readonly hall: Hall;
  readonly member: Member;
  readonly handle: string;
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    kind: fc.constantFrom('rebuttal', 'announcement', 'update', 'correction'),
    headline,
    body: prose,
    rumor: fc.array(fc.oneof(word, cjk, phone), { minLength: 1, maxLength: 4 }),
    facts: fc.array(sentence, { minLength: 1, maxLength: 4 }),
    evidence: fc.option(sentence, { nil: undefined }),
    advice: fc.option(
      fc.constantFrom('请勿信谣传谣，以官方发布为准。', '请广大市民合理安排出行。'),
      { nil: undefined },
    ),
    linkPath: fc.string({
      unit: fc.constantFrom(...'abcdef0123456789/'),
      minLength: 1,
      maxLength: 200,
    }),
    issuedAt: fc.date({
      min: new Date('2020-01-01T00:00:00Z'),
      max: new Date('2030-12-31T00:00:00Z'),
      noInvalidDate: true,
    }),
    topics: fc.array(fc.constantFrom('北京辟谣', '权威发布', '出行提示'), { maxLength: 2 }),
    factPicks: fc.array(fc.nat(), { maxLength: 3 }),
    refersTo: fc.option(fc.constant('earlier-campaign'), { nil: undefined }),
    shortName: fc.constantFrom(
      '北京发布',
      '平安北京',
      '海淀发布',
      '北京市朝阳区人民政府新闻办公室',
    ),
    prefix: fc.option(fc.constantFrom('【海淀发布】', '#北京# 【北京】', ''), { nil: undefined }),
    signOff: fc.option(fc.constantFrom('（完）', '欢迎关注北京发布。', '咨询电话12345。'), {
      nil: undefined,
    }),
  })
  .map((generated): Case => {
    const candidates = [...generated.body.tokens, ...generated.facts.flatMap((item) => item.tokens)]
      .filter((item) => item.fact)
      .map((item) => item.text);
    const keyFacts = [
      ...new Set(
        generated.factPicks.flatMap((pick) =>
          candidates.length === 0 ? [] : [candidates[pick % candidates.length] ?? ''],
        ),
      ),
    ];
    const statement = parseStatement({
      kind: generated.kind,
      headline: generated.headline.slice(0, 200),
      body: generated.body.text,
      issuer: '北京市交通委员会',
      issuedAt: generated.issuedAt.toISOString(),
      link: `https://www.beijing.gov.cn/${generated.linkPath}`,
      topics: generated.topics,
      keyFacts,
      rumor: generated.rumor.map((item) => item.text).join(''),
      facts: generated.facts.map((item) => item.text),
      ...(generated.evidence === undefined ? {} : { evidence: generated.evidence.text }),
      ...(generated.advice === undefined ? {} : { advice: generated.advice }),
      ...(generated.refersTo === undefined ? {} : { refersTo: generated.refersTo }),
    });
    const hall = hallSchema.parse({
      id: 'beijing',
      name: '北京微博发布厅',
      lead: 'm',
      site: { domain: 'www.beijing.gov.cn' },
      members: [
        {
          id: 'm',
          name: '北京市人民政府新闻办公室',
          shortName: generated.shortName,
          ...(generated.prefix === undefined ? {} : { prefix: generated.prefix }),
          ...(generated.signOff === undefined ? {} : { signOff: generated.signOff }),
          accounts: { weibo: { handle: generated.shortName, credentials: 'c' } },
        },
      ],
    });
    const member = hall.members[0]!;
    return { statement, hall, member, handle: generated.shortName };
  });

// ---------------------------------------------------------------------------------------------
// Checks: each returns the problems it finds, so a failing case reports all of them at once.

/** A generated case with what the checks read more than once. */
interface Prepared extends Case {
  readonly prefix: string;
  /** The headline as shown (with the kind label of an update or correction). */
  readonly headline: string;
  readonly parts: readonly string[];
  /** Everything a rendition may take its words from, each piece once. */
  readonly source: string;
  readonly wholeNumbers: ReadonlySet<string>;
  readonly sourceLinks: ReadonlySet<string>;
}

function prepare(item: Case): Prepared {
  const document = applyTemplate(item.statement);
  const prefix = memberPrefix(item.hall, item.member, item.handle);
  const parts = document.parts.map((part) => part.text);
  const source = [
    prefix,
    item.statement.topics.map((topic) => `#${topic}#`).join(''),
    document.headline,
    item.statement.headline,
    ...parts,
    item.statement.issuer,
    formatStatementTime(item.statement.issuedAt, 'short'),
    formatStatementTime(item.statement.issuedAt, 'full'),
    item.member.signOff ?? '',
    '详情',
  ].join('\n');
  return {
    ...item,
    prefix,
    headline: document.headline,
    parts,
    source,
    wholeNumbers: new Set(numbersIn(source)),
    sourceLinks: new Set([...(source.match(LINK) ?? []), item.statement.link]),
  };
}

/** No number, key fact, link or quotation of `shown` is a piece of a longer one. */
function nothingCut(item: Prepared, shown: string): string[] {
  const problems: string[] = [];
  for (const number of numbersIn(shown)) {
    if (!item.wholeNumbers.has(number)) problems.push(`number "${number}" is cut or made up`);
  }
  for (const found of shown.match(LINK) ?? []) {
    if (!item.sourceLinks.has(found)) problems.push(`link "${found}" is cut or made up`);
  }
  if (count(shown, '“') !== count(shown, '”')) problems.push('a “quotation” is cut');
  if (count(shown, '《') !== count(shown, '》')) problems.push('a 《title》 is cut');
  const plain = withoutLinks(shown);
  const plainSource = withoutLinks(item.source);
  for (const fact of item.statement.keyFacts) {
    if (fact.length < 2) continue;
    const half = fact.slice(0, Math.ceil(fact.length / 2));
    const cutHere = count(plain, half) - count(plain, fact);
    const cutInSource = count(plainSource, half) - count(plainSource, fact);
    if (cutHere > Math.max(0, cutInSource)) problems.push(`key fact "${fact}" is cut`);
  }
  return problems;
}

/** Count of the smallest text holding every key fact: prefix, headline, the parts holding them, link. */
function keyFactBudget(item: Prepared, profile: TextProfile): number {
  const head = `${item.prefix}${item.headline}`;
  const holding = item.parts.filter((text) =>
    item.statement.keyFacts.some(
      (fact) => withoutLinks(text).includes(fact) && !head.includes(fact),
    ),
  );
  return profile.count(`${head}：${holding.join('')} 详情：${item.statement.link}`);
}

/** Problems of the text rendition (and the relay comment) of one case; `undefined` when refused. */
function textProblems(item: Prepared, profile: TextProfile): string[] | undefined {
  const options = { profile, hall: item.hall, member: item.member, handle: item.handle };
  let rendition: TextRendition;
  try {
    rendition = renderText(item.statement, options);
  } catch (error) {
    // Refused only when prefix, headline and link alone are over the limit.
    const refusedRightly =
      ReleaseHallError.isInstance(error) &&
      error.code === 'CONTENT_REJECTED' &&
      profile.count(`${item.prefix}${item.headline} 详情：${item.statement.link}`) >
        profile.maxLength;
    return refusedRightly ? undefined : [`refused wrongly: ${String(error)}`];
  }
  const { text } = rendition;
  const problems: string[] = [];
  const length = profile.count(text);
  if (length > profile.maxLength) problems.push(`over the limit: ${length} > ${profile.maxLength}`);
  if (rendition.length !== length)
    problems.push(`length says ${rendition.length}, count is ${length}`);
  if (
    (profile.requiresSafeDomainLink || rendition.summarised) &&
    !text.endsWith(item.statement.link)
  ) {
    problems.push('does not end with the full-text link');
  }
  if (!profile.allowsTopics && /#(?:北京辟谣|权威发布|出行提示)#/u.test(text)) {
    problems.push('topics on a profile that refuses them');
  }
  const roomForAll = keyFactBudget(item, profile) <= profile.maxLength;
  for (const fact of item.statement.keyFacts) {
    if (withoutLinks(text).includes(fact)) continue;
    if (roomForAll) problems.push(`key fact "${fact}" left out although there was room`);
    else if (!text.endsWith(item.statement.link))
      problems.push(`key fact "${fact}" left out with no link`);
  }
  problems.push(...nothingCut(item, text));
  const relay = renderText(item.statement, { ...options, relay: true });
  if (profile.count(relay.text) > profile.maxLength) problems.push('relay comment over the limit');
  return problems.map((problem) => `${profile.name}: ${problem}\n  ${text}`);
}

const unescape = (html: string): string =>
  html
    .replace(/<[^>]+>/g, '\n')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/** Whether a headline has a clause mark within `max` characters outside quotations and numbers. */
function hasTitleCut(headline: string, max: number): boolean {
  if (headline.length <= max) return true;
  for (let index = 1; index <= max; index += 1) {
    if (!'，、：,:'.includes(headline[index] ?? '')) continue;
    const before = headline.slice(0, index);
    const balanced =
      count(before, '“') === count(before, '”') &&
      count(before, '《') === count(before, '》') &&
      count(before, '"') % 2 === 0;
    const inNumber =
      /[0-9]/.test(headline[index - 1] ?? '') && /[0-9]/.test(headline[index + 1] ?? '');
    if (balanced && !inNumber) return true;
  }
  return false;
}

/** Problems of the article rendition of one case. */
function articleProblems(item: Prepared, profile: ArticleProfile): string[] {
  let article;
  try {
    article = renderArticle(item.statement, {
      profile,
      hall: item.hall,
      member: item.member,
      handle: item.handle,
    });
  } catch (error) {
    // Refused only when the headline has no leading clause short enough for a title.
    const refusedRightly =
      ReleaseHallError.isInstance(error) &&
      error.code === 'CONTENT_REJECTED' &&
      !hasTitleCut(item.headline, profile.titleMax) &&
      !hasTitleCut(item.statement.headline, profile.titleMax);
    return refusedRightly ? [] : [`refused wrongly: ${String(error)}`];
  }
  const problems: string[] = [];
  const { title, digest, html } = article;
  if (title.length === 0 || title.length > profile.titleMax)
    problems.push(`title length ${title.length}`);
  if (!item.headline.startsWith(title) && !item.statement.headline.startsWith(title)) {
    problems.push(`title "${title}" is not a leading part of the headline`);
  }
  if ((article.author ?? '').length > profile.authorMax) problems.push('author too long');
  if (digest.length > profile.digestMax) problems.push(`digest length ${digest.length}`);
  if (html.length >= profile.contentMaxChars) problems.push(`content length ${html.length}`);
  if (article.sourceUrl !== item.statement.link) problems.push('source URL is not the link');
  if (article.cover !== undefined) problems.push('cover without images');
  if (/[<>]/.test(html.replace(/<p( style="text-align:right")?>|<\/p>/g, ''))) {
    problems.push('unescaped markup in the content');
  }
  const inParts = item.statement.keyFacts.filter((fact) =>
    item.parts.some((part) => withoutLinks(part).includes(fact)),
  );
  const holding = item.parts.filter((part) =>
    inParts.some((fact) => withoutLinks(part).includes(fact)),
  );
  if (holding.join('').length <= profile.digestMax) {
    for (const fact of inParts) {
      if (!withoutLinks(digest).includes(fact))
        problems.push(`key fact "${fact}" left out of the digest although there was room`);
    }
  }
  const content = unescape(html);
  if (!content.includes('阅读原文')) {
    for (const fact of item.statement.keyFacts) {
      if (!content.includes(fact))
        problems.push(`key fact "${fact}" missing from the full article`);
    }
  }
  for (const shown of [title, digest, content]) problems.push(...nothingCut(item, shown));
  return problems.map((problem) => `article (content < ${profile.contentMaxChars}): ${problem}`);
}

// ---------------------------------------------------------------------------------------------

const textProperty = (profile: TextProfile) =>
  fc.property(caseArbitrary, (item) => {
    expect(textProblems(prepare(item), profile) ?? []).toEqual([]);
  });

describe('renditions of generated statements', () => {
  it(`Weibo share (140, link on the safe domain, no topics): ${RUNS} statements`, () => {
    fc.assert(textProperty(weiboShare), { numRuns: RUNS, seed: 20261126 });
  });

  it(`Weibo update (140, topics allowed): ${RUNS} statements`, () => {
    fc.assert(textProperty(weiboUpdate), { numRuns: RUNS, seed: 930 });
  });

  it(`Tencent Weibo (420 UTF-8 bytes, links as 11): ${RUNS} statements`, () => {
    fc.assert(textProperty(tencent), { numRuns: RUNS, seed: 420 });
  });

  it(`WeChat article (title 32, author 16, digest 128; content < 20000, and < 500): ${RUNS} statements`, () => {
    fc.assert(
      fc.property(caseArbitrary, (item) => {
        const prepared = prepare(item);
        expect([
          ...articleProblems(prepared, wechat),
          ...articleProblems(prepared, wechatTight),
        ]).toEqual([]);
      }),
      { numRuns: RUNS, seed: 32 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The linter over the renderer's own renditions: no false alarm, and a planted change is caught.

const lintHall = hallSchema.parse({
  id: 'lint',
  name: '测试发布厅',
  lead: 'a',
  site: { domain: 'www.beijing.gov.cn' },
  members: [
    { id: 'a', name: '北京市人民政府新闻办公室', shortName: '北京发布', accounts: {} },
    { id: 'b', name: '北京市公安局', shortName: '平安北京', signOff: '（平安北京）', accounts: {} },
    { id: 'c', name: '北京市海淀区人民政府新闻办公室', prefix: '【海淀】', accounts: {} },
  ],
});
const CONSISTENCY_RULES = new Set([
  'key-fact-inconsistent',
  'number-mismatch',
  'rendition-over-limit',
]);

/** `text` with every `from` outside its links replaced by `to`. */
function replaceOutsideLinks(text: string, from: string, to: string): string {
  return text
    .split(new RegExp(`(${LINK.source})`, 'i'))
    .map((piece, index) => (index % 2 === 1 ? piece : piece.replaceAll(from, to)))
    .join('');
}

function hallRenditions(statement: Statement) {
  const renditions = [];
  for (const member of lintHall.members) {
    for (const [platform, limits] of Object.entries(linted)) {
      try {
        renditions.push({
          accountId: `${member.id}/${platform}`,
          memberId: member.id,
          platform,
          rendition: renderStatement(statement, {
            limits,
            hall: lintHall,
            member,
            handle: member.id,
          }),
        });
      } catch {
        // a headline too long for the platform: nothing to compare
      }
    }
  }
  return renditions;
}

describe('the linter over generated statements', () => {
  it(`finds no inconsistency among the renderer's own renditions: ${LINT_RUNS} statements × 9 accounts`, () => {
    fc.assert(
      fc.property(caseArbitrary, (item) => {
        const renditions = hallRenditions(item.statement);
        const { findings } = lintStatement(item.statement, {
          hall: lintHall,
          renditions,
          profiles: linted,
        });
        expect(findings.filter((finding) => CONSISTENCY_RULES.has(finding.rule))).toEqual([]);
      }),
      { numRuns: LINT_RUNS, seed: 72 },
    );
  });

  it(`catches a digit changed in one account's key fact: ${LINT_RUNS} statements`, () => {
    let planted = 0;
    fc.assert(
      fc.property(caseArbitrary, fc.nat(), (item, pick) => {
        const renditions = hallRenditions(item.statement);
        const numeric = item.statement.keyFacts.filter((fact) => /[0-9]/.test(fact));
        const texts = renditions.flatMap((entry) =>
          entry.rendition.format === 'text' ? [{ entry, text: entry.rendition.text }] : [],
        );
        const targets = texts.filter(({ text }) =>
          numeric.some((fact) => withoutLinks(text).includes(fact)),
        );
        const target = targets[pick % Math.max(1, targets.length)];
        if (target === undefined) return;
        const fact =
          numeric.find((candidate) => withoutLinks(target.text).includes(candidate)) ?? '';
        const digit = fact.search(/[0-9]/);
        const changed = `${fact.slice(0, digit)}${(Number(fact[digit]) + 1) % 10}${fact.slice(digit + 1)}`;
        const altered = replaceOutsideLinks(target.text, fact, changed);
        const tampered = renditions.map((entry) =>
          entry === target.entry && entry.rendition.format === 'text'
            ? { ...entry, rendition: { ...entry.rendition, text: altered } }
            : entry,
        );
        const { findings } = lintStatement(item.statement, {
          hall: lintHall,
          renditions: tampered,
          profiles: linted,
        });
        planted += 1;
        expect(
          findings.some(
            (finding) =>
              finding.accountId === target.entry.accountId && CONSISTENCY_RULES.has(finding.rule),
          ),
          `${fact} → ${changed} in ${target.entry.accountId}: ${altered}`,
        ).toBe(true);
      }),
      { numRuns: LINT_RUNS, seed: 144 },
    );
    expect(planted).toBeGreaterThan(LINT_RUNS / 4);
  });
});
