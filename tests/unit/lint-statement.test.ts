import { describe, expect, it } from 'vitest';
import {
  type PlannedDelivery,
  type Statement,
  type StatementInput,
  type TextProfile,
  type TextRendition,
  planCampaign,
  resolveHall,
} from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { DEFAULT_DISCOURAGED_PHRASES } from '../../src/lint/discouraged-phrases.js';
import { numberSlots } from '../../src/lint/check-consistency.js';
import { renderArticle } from '../../src/render/render-article.js';
import { type LintOptions, isOnDomain, lintStatement } from '../../src/lint/lint-statement.js';
import type { LintFinding } from '../../src/lint/lint-types.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { rebuttal } from '../helpers/fixtures.js';

const weibo = createWeiboAdapter({ mode: 'share', rip: '203.0.113.10' });
const adapters = new Map([['weibo', weibo]]);
/** The Beijing hall with its Weibo accounts only (other platforms' adapters are not under test). */
const weiboOnly = (data: unknown): unknown => {
  const input = data as {
    platforms?: Record<string, unknown>;
    members: { accounts: Record<string, unknown> }[];
  };
  return {
    ...input,
    platforms: input.platforms?.weibo === undefined ? {} : { weibo: input.platforms.weibo },
    members: input.members.map((member) => ({
      ...member,
      accounts: { weibo: member.accounts.weibo },
    })),
  };
};
const resolved = resolveHall(weiboOnly(await beijingHall()), [weibo]);
const hall = resolved.hall;
const demo = await beijingRebuttal();

function plan(statement: Statement, mode: 'original' | 'relay' = 'original'): PlannedDelivery[] {
  return [...planCampaign({ campaignId: 'c', statement, resolved, adapters, mode }).deliveries];
}

/** The deliveries with one account's text changed. */
function tamper(
  deliveries: readonly PlannedDelivery[],
  accountId: string,
  change: (text: string) => string,
): PlannedDelivery[] {
  return deliveries.map((delivery) => {
    if (delivery.accountId !== accountId || delivery.rendition.format !== 'text') return delivery;
    const text = change(delivery.rendition.text);
    const rendition: TextRendition = {
      ...delivery.rendition,
      text,
      length: weibo.limits.text.count(text),
    };
    return { ...delivery, rendition };
  });
}

const rules = (findings: readonly LintFinding[]): string[] =>
  findings.map((finding) => `${finding.severity} ${finding.rule} ${finding.path}`);
const lint = (
  statement: Parameters<typeof lintStatement>[0],
  options: LintOptions = {},
): readonly LintFinding[] => lintStatement(statement, options).findings;

describe('lintStatement: the statement itself', () => {
  it('the demo rebuttal over the Beijing hall is clean, with and without its 72 renditions', () => {
    expect(lint(demo, { hall })).toEqual([]);
    const result = lintStatement(demo, { hall, renditions: plan(demo), profiles: adapters });
    expect(result).toEqual({ findings: [], errors: 0, warnings: 0, ok: true });
    expect(lint(demo, { hall, renditions: plan(demo, 'relay'), profiles: adapters })).toEqual([]);
  });

  it('a rebuttal without the rumor, the facts or the source', () => {
    const { rumor: _r, facts: _f, evidence: _e, ...bare } = demo;
    const findings = lint(bare);
    expect(rules(findings)).toEqual([
      'error rebuttal-missing-rumor rumor',
      'error rebuttal-missing-facts facts',
      'error rebuttal-missing-source evidence',
      // 12345 was written only in the facts
      'error key-fact-not-in-text keyFacts[1]',
    ]);
    expect(findings[2]?.fix).toContain('evidence:');
    expect(rules(lint({ ...demo, facts: [' '] }))).toEqual([
      'error rebuttal-missing-facts facts',
      'error key-fact-not-in-text keyFacts[1]',
    ]);
  });

  it('reads raw statement-file data defensively: a field of the wrong type counts as missing', () => {
    const raw: Record<string, unknown> = {
      kind: 'rebuttal',
      headline: '网传不实',
      body: 42,
      rumor: ['not', 'text'],
      facts: '地铁正常',
      issuer: '北京市交通委员会',
      issuedAt: '2026-11-26T09:30:00+08:00',
      keyFacts: 'oops',
    };
    expect(rules(lint(raw))).toEqual([
      // What publish refuses and no other rule explains.
      'error invalid-statement body',
      'error invalid-statement link',
      'error invalid-statement keyFacts',
      'error rebuttal-missing-rumor rumor',
      'error rebuttal-missing-facts facts',
      'error rebuttal-missing-source evidence',
    ]);
  });

  it('no issuer, no time or a time without an offset', () => {
    expect(rules(lint({ ...demo, issuer: ' ' }))).toEqual(['error missing-issuer issuer']);
    const { issuedAt: _issuedAt, ...timeless } = demo;
    expect(rules(lint(timeless as StatementInput))).toEqual(['error missing-time issuedAt']);
    const local = lint({ ...demo, issuedAt: '2026-11-26T09:30:00' });
    expect(rules(local)).toEqual(['error missing-time issuedAt']);
    expect(local[0]?.message).toContain('not an ISO 8601 time with an offset');
  });

  it('an update or a correction that does not name the campaign it follows', () => {
    const update = { ...demo, kind: 'update' as const };
    expect(rules(lint(update))).toEqual(['warning missing-reference refersTo']);
    expect(lint({ ...update, refersTo: 'rumor-subway' })).toEqual([]);
    expect(rules(lint({ ...demo, kind: 'correction' }))).toEqual([
      'warning missing-reference refersTo',
    ]);
  });

  it('a key fact the statement never writes', () => {
    expect(rules(lint({ ...demo, keyFacts: ['12345', '96123'] }))).toEqual([
      'error key-fact-not-in-text keyFacts[1]',
    ]);
  });
});

describe('lintStatement: discouraged phrases', () => {
  it('the notorious phrase is an error whatever the urgency', () => {
    const findings = lint({ ...demo, advice: '不管你信不信，我反正是信的。', urgency: 'routine' });
    expect(rules(findings)).toEqual(['error discouraged-phrase advice']);
    expect(findings[0]?.message).toContain('"不管你信不信，我反正是信的"');
    expect(rules(lint({ ...demo, body: `${demo.body}至于你信不信，反正我信了。` }))).toEqual([
      'error discouraged-phrase body',
    ]);
  });

  it('chatty forms of address are errors in a crisis statement and warnings otherwise', () => {
    const chatty = { ...demo, advice: '亲，请勿信谣传谣哦！童鞋们注意出行安全。' };
    expect(rules(lint({ ...chatty, urgency: 'crisis' }))).toEqual([
      'error discouraged-phrase advice',
      'error discouraged-phrase advice',
    ]);
    const routine = lint({ ...chatty, urgency: 'urgent' });
    expect(rules(routine)).toEqual([
      'warning discouraged-phrase advice',
      'warning discouraged-phrase advice',
    ]);
    expect(routine.map((finding) => finding.message.slice(0, 5))).toEqual(['"亲" i', '"童鞋" ']);
  });

  it('does not take 乡亲们, 父亲 or 亲自 for the chatty 亲, nor the quoted rumor for the statement', () => {
    const plain = { ...demo, urgency: 'crisis' as const, body: '市领导亲自看望乡亲们和他的父亲。' };
    expect(lint(plain)).toEqual([]);
    expect(lint({ ...demo, urgency: 'crisis', rumor: '亲们，地铁今晚停运' })).toEqual([]);
    expect(rules(lint({ ...demo, urgency: 'crisis', body: '亲们，请注意。' }))).toEqual([
      'error discouraged-phrase body',
    ]);
  });

  it('the list is configurable: it replaces the defaults, and can extend them', () => {
    const text = { ...demo, advice: '亲，请勿信谣。据说真的。' };
    expect(rules(lint(text, { discouraged: ['据说'] }))).toEqual([
      'warning discouraged-phrase advice',
    ]);
    const extended = lint(text, {
      discouraged: [
        ...DEFAULT_DISCOURAGED_PHRASES,
        { match: /据[说传]/u, reason: 'hearsay', fix: 'name the source', severity: 'error' },
      ],
    });
    expect(rules(extended)).toEqual([
      'error discouraged-phrase advice',
      'warning discouraged-phrase advice',
    ]);
    expect(extended[0]).toMatchObject({
      message: '"据说" in advice: hearsay',
      fix: 'name the source',
    });
  });

  it('flags a phrase a member adds to its renditions (prefix or sign-off), on that account', () => {
    const chattyHall = {
      ...hall,
      members: hall.members.map((member) =>
        member.id === 'haidian' ? { ...member, prefix: '【海淀童鞋】' } : member,
      ),
    };
    const chattyResolved = resolveHall(chattyHall, [weibo]);
    const deliveries = planCampaign({
      campaignId: 'c',
      statement: { ...demo, urgency: 'crisis' },
      resolved: chattyResolved,
      adapters,
      mode: 'original',
    }).deliveries;
    const findings = lint(
      { ...demo, urgency: 'crisis' },
      { hall: chattyResolved.hall, renditions: deliveries },
    );
    expect(rules(findings)).toEqual(['error discouraged-phrase renditions[haidian/weibo]']);
    expect(findings[0]?.accountId).toBe('haidian/weibo');
  });
});

describe('lintStatement: links and topics', () => {
  it('links outside the hall’s safe domain: the full-text link is an error, others warnings', () => {
    expect(isOnDomain('https://www.beijing.gov.cn/a', 'www.beijing.gov.cn')).toBe(true);
    expect(isOnDomain('https://news.www.beijing.gov.cn/a', 'www.beijing.gov.cn')).toBe(true);
    expect(isOnDomain('https://www.beijing.gov.cn.evil.com/a', 'www.beijing.gov.cn')).toBe(false);
    const outside = lint(
      {
        ...demo,
        link: 'https://mp.weixin.qq.com/s/abc',
        body: `${demo.body}详见 http://example.com/x 。`,
      },
      { hall },
    );
    expect(rules(outside)).toEqual([
      'error link-outside-safe-domain link',
      'warning link-outside-safe-domain body',
    ]);
    expect(lint({ ...demo, link: 'https://mp.weixin.qq.com/s/abc' })).toEqual([]);
  });

  it('#topic# in the text for an account that refuses topics (share), and topics that will be left out', () => {
    const withTopic = { ...demo, body: `#北京辟谣#${demo.body}`, topics: ['北京辟谣'] };
    expect(rules(lint(withTopic, { profiles: adapters }))).toEqual([
      'error topic-on-share-only body',
      'warning topic-on-share-only topics',
    ]);
    const update = createWeiboAdapter({ mode: 'update', rip: '203.0.113.10' });
    expect(lint(withTopic, { profiles: { weibo: update } })).toEqual([]);
  });

  it('#topic# that a member’s prefix brings into a share rendition', () => {
    const deliveries = tamper(plan(demo), 'haidian/weibo', (text) => `#海淀#${text}`);
    const findings = lint(demo, { hall, renditions: deliveries, profiles: adapters });
    expect(rules(findings)).toEqual(['error topic-on-share-only renditions[haidian/weibo].text']);
  });
});

describe('lintStatement: renditions across accounts', () => {
  it('flags a planted inconsistency: a number altered on one account', () => {
    const deliveries = tamper(plan(demo), 'haidian/weibo', (text) =>
      text.replace('12345', '12346'),
    );
    const findings = lint(demo, { hall, renditions: deliveries, profiles: adapters });
    expect(rules(findings)).toEqual([
      'error key-fact-inconsistent renditions[haidian/weibo].text',
      'error number-mismatch renditions[haidian/weibo].text',
    ]);
    expect(findings[0]?.message).toBe(
      'key fact "12345" is missing or altered in haidian/weibo although it has room for it (71 other renditions carry it)',
    );
    expect(findings[1]?.message).toBe(
      'haidian/weibo says "可拨打12346市民服务热线咨询。" (12346) where the statement says "可拨打12345市民服务热线咨询。"',
    );
  });

  it('flags a key fact dropped where it had room, by profile when the member is unknown', () => {
    const profile: TextProfile = { ...weibo.limits.text, maxLength: 1000 };
    const deliveries = tamper(plan(demo), 'police/weibo', (text) =>
      text.replace('地铁各线路运营正常，', ''),
    ).map((delivery) => ({ ...delivery, memberId: 'nobody' }));
    expect(rules(lint(demo, { renditions: deliveries, profiles: { weibo: profile } }))).toEqual([
      'error key-fact-inconsistent renditions[police/weibo].text',
    ]);
  });

  it('a post without room for a key fact must link to the full text; relays are not checked', () => {
    const deliveries = tamper(plan(demo), 'police/weibo', (text) =>
      text.replace('地铁各线路运营正常，', '').replace(/ 详情：.*$/u, ''),
    );
    const tight: TextProfile = { ...weibo.limits.text, maxLength: 60 };
    const findings = lint(demo, {
      renditions: deliveries.filter((delivery) => delivery.accountId === 'police/weibo'),
      profiles: { weibo: tight },
    });
    expect(rules(findings)).toEqual([
      'error rendition-over-limit renditions[police/weibo]',
      'error key-fact-inconsistent renditions[police/weibo].text',
    ]);
    expect(findings[1]?.message).toContain('does not link to the full text');
    expect(lint(demo, { hall, renditions: plan(demo, 'relay'), profiles: adapters })).toEqual([]);
  });

  it('number slots only renditions share are compared with what most accounts say', () => {
    const deliveries = plan(demo)
      .slice(0, 4)
      .map((delivery, index) => {
        if (delivery.rendition.format !== 'text') return delivery;
        const text = `${delivery.rendition.text}另设${index === 3 ? 7 : 6}个临时接驳点。`;
        return { ...delivery, rendition: { ...delivery.rendition, text } };
      });
    const findings = lint(demo, { renditions: deliveries });
    expect(rules(findings)).toEqual([
      `error number-mismatch renditions[${deliveries[3]?.accountId}].text`,
    ]);
    expect(findings[0]?.message).toContain('where 3 other accounts say "另设6个临时接驳点。"');
  });

  it('checks articles too: their content as text, against the article profile', () => {
    const article = { titleMax: 32, authorMax: 16, digestMax: 128, contentMaxChars: 20_000 };
    const profiles = { wechat: { text: weibo.limits.text, format: 'article' as const, article } };
    const renditions = hall.members.slice(0, 3).map((member) => {
      const rendition = renderArticle(demo, { profile: article, hall, member, handle: member.id });
      return {
        accountId: `${member.id}/wechat`,
        memberId: member.id,
        platform: 'wechat',
        rendition,
      };
    });
    expect(lint(demo, { hall, renditions, profiles })).toEqual([]);
    const tampered = renditions.map((entry) =>
      entry.accountId === 'police/wechat' && entry.rendition.format === 'article'
        ? {
            ...entry,
            rendition: {
              ...entry.rendition,
              html: entry.rendition.html.replaceAll('12345', '12346'),
            },
          }
        : entry,
    );
    expect(rules(lint(demo, { hall, renditions: tampered, profiles }))).toEqual([
      'error key-fact-inconsistent renditions[police/wechat].html',
      'error number-mismatch renditions[police/wechat].html',
    ]);
  });

  it('number slots ignore prefixes, topics and links', () => {
    expect(numberSlots('【北京发布】#辟谣#可拨打12345咨询。 详情：https://a.cn/1')).toEqual([
      { slot: '可拨打#咨询', numbers: ['12345'], clause: '可拨打12345咨询。' },
    ]);
  });

  it('a rendition over its platform’s limit', () => {
    const deliveries = tamper(plan(demo), 'fire/weibo', (text) => `${text}${'多'.repeat(20)}`);
    expect(rules(lint(demo, { renditions: deliveries, profiles: adapters }))).toEqual([
      'error rendition-over-limit renditions[fire/weibo]',
    ]);
  });

  it('orders errors before warnings and counts them', () => {
    const result = lintStatement(
      { ...rebuttal, kind: 'update', advice: '亲，注意。', keyFacts: ['没有'] },
      {},
    );
    expect(result.findings.map((finding) => finding.severity)).toEqual([
      'error',
      'warning',
      'warning',
    ]);
    expect(result).toMatchObject({ errors: 1, warnings: 2, ok: false });
  });
});
