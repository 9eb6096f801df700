import { describe, expect, it } from 'vitest';
import {
  type AdapterLimits,
  type PlannedDelivery,
  parseStatement,
  planCampaign,
  resolveHall,
} from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { lintStatement } from '../../src/lint/lint-statement.js';
import { renderArticle } from '../../src/render/render-article.js';
import { buildPreview, terminalWidth, formatPreviewTable } from '../../src/render/preview.js';
import { memoryHall, rebuttal } from '../helpers/fixtures.js';

const memory = createMemoryAdapter();
const resolved = resolveHall(memoryHall(3), [memory]);
const statement = parseStatement({ ...rebuttal, evidence: '经测试市交通委员会核实。' });
const article = { titleMax: 32, authorMax: 16, digestMax: 128, contentMaxChars: 20_000 };
const wechatLimits: Pick<AdapterLimits, 'format' | 'article' | 'text'> = {
  format: 'article',
  article,
  text: memory.limits.text,
};
const profiles = new Map<string, unknown>([
  ['memory', memory],
  ['wechat', wechatLimits],
]) as Parameters<typeof buildPreview>[0]['profiles'];

function deliveries(): PlannedDelivery[] {
  const plan = planCampaign({
    campaignId: 'c1',
    statement,
    resolved,
    adapters: new Map([['memory', memory]]),
    mode: 'relay',
  });
  const member = resolved.hall.members[0]!;
  return [
    ...plan.deliveries,
    {
      id: 'c1:lead/wechat:post',
      campaignId: 'c1',
      accountId: 'lead/wechat',
      memberId: 'lead',
      platform: 'wechat',
      action: 'post',
      idempotencyKey: 'k',
      rendition: renderArticle(statement, {
        profile: article,
        hall: resolved.hall,
        member,
        handle: '测试发布',
      }),
    },
    {
      id: 'c1:m1/other:post',
      campaignId: 'c1',
      accountId: 'm1/other',
      memberId: 'm1',
      platform: 'other',
      action: 'post',
      idempotencyKey: 'k2',
      rendition: { format: 'text', text: '别处', length: 2, topics: [], summarised: false },
    },
  ];
}

describe('buildPreview', () => {
  it('one row per delivery in plan order, with count against limit, the relay order and lint findings', () => {
    const planned = deliveries();
    // Plant an over-long text on m2 and an altered number on the lead.
    const tampered = planned.map((delivery) => {
      if (delivery.rendition.format !== 'text') return delivery;
      if (delivery.accountId === 'm2/memory') {
        const text = `${delivery.rendition.text}${'长'.repeat(500)}`;
        return { ...delivery, rendition: { ...delivery.rendition, text, length: text.length } };
      }
      if (delivery.accountId === 'lead/memory') {
        const text = delivery.rendition.text.replace('12345', '12346');
        return { ...delivery, rendition: { ...delivery.rendition, text } };
      }
      return delivery;
    });
    const lint = lintStatement(
      { ...statement, advice: '亲，请勿信谣传谣。' },
      { hall: resolved.hall, renditions: tampered, profiles },
    );
    const preview = buildPreview({
      deliveries: tampered,
      profiles,
      lint,
      handles: new Map(resolved.accounts.map((account) => [account.id, account.handle])),
      campaignId: 'c1',
      mode: 'relay',
    });

    expect(
      preview.accounts.map((row) => [row.order, row.accountId, row.action, row.after]),
    ).toEqual([
      [1, 'lead/memory', 'post', undefined],
      [2, 'm1/memory', 'relay', 1],
      [3, 'm2/memory', 'relay', 1],
      [4, 'm3/memory', 'relay', 1],
      [5, 'lead/wechat', 'post', undefined],
      [6, 'm1/other', 'post', undefined],
    ]);
    const [lead, m1, m2, , wechat, other] = preview.accounts;
    expect(lead).toMatchObject({
      platform: 'memory',
      handle: '测试发布',
      format: 'text',
      limit: 500,
      fits: true,
      summarised: false,
    });
    expect(lead?.count).toBe([...(lead?.text ?? '')].length);
    expect(lead?.findings.map((finding) => finding.rule)).toEqual([
      'key-fact-inconsistent',
      'number-mismatch',
    ]);
    expect(m1).toMatchObject({
      text: '【单位1】请勿信谣传谣，以官方发布为准。',
      fits: true,
      findings: [],
    });
    expect(m2).toMatchObject({ fits: false, limit: 500 });
    expect(m2?.findings.map((finding) => finding.rule)).toEqual(['rendition-over-limit']);
    expect(wechat).toMatchObject({ format: 'article', fits: true, limit: 19_999 });
    expect(wechat?.article?.title).toBe('网传“地铁今晚全线停运”不实');
    expect(wechat?.article?.fields?.title).toEqual({ count: 14, limit: 32, fits: true });
    expect(other).toMatchObject({ count: 2 });
    expect(other?.limit).toBeUndefined();
    expect(other?.fits).toBeUndefined();
    // no profile for "other": a post that claims to be whole but lacks the key fact is flagged
    expect(other?.findings.map((finding) => finding.rule)).toEqual(['key-fact-inconsistent']);

    expect(
      preview.findings.map((finding) => `${finding.severity} ${finding.rule} ${finding.path}`),
    ).toEqual(['warning discouraged-phrase advice']);
    expect(preview.totals).toEqual({
      accounts: 6,
      posts: 3,
      relays: 3,
      fit: 4,
      over: 1,
      unmeasured: 1,
      errors: 4,
      warnings: 1,
      byPlatform: { memory: 4, wechat: 1, other: 1 },
    });
  });

  it('accepts findings as a plain list and works without lint or handles', () => {
    const preview = buildPreview({ deliveries: deliveries(), profiles, lint: [] });
    expect(
      preview.accounts.every((row) => row.findings.length === 0 && row.handle === undefined),
    ).toBe(true);
    expect(preview.campaignId).toBeUndefined();
  });
});

describe('formatPreviewTable', () => {
  const planned = deliveries();
  const over = planned.map((delivery) =>
    delivery.accountId === 'm3/memory' && delivery.rendition.format === 'text'
      ? { ...delivery, rendition: { ...delivery.rendition, text: '超'.repeat(501), length: 501 } }
      : delivery,
  );
  const lint = lintStatement(
    { ...statement, link: 'https://elsewhere.example.com/x' },
    {
      hall: resolved.hall,
      renditions: over,
      profiles,
    },
  );
  const preview = buildPreview({
    deliveries: over,
    profiles,
    lint,
    handles: { 'lead/memory': '测试发布' },
    campaignId: 'c1',
    mode: 'relay',
  });

  it('prints a summary, aligned rows, each text, article fields and the findings', () => {
    const table = formatPreviewTable(preview);
    const lines = table.split('\n');
    expect(lines[0]).toBe(
      'Preview of c1 (relay): 6 accounts (memory 4, wechat 1, other 1), 3 posts, 3 relays; 4 fit, 1 over the limit, 1 unmeasured; lint: 3 errors, 0 warnings',
    );
    expect(lines[2]).toMatch(/^#\s+account\s+platform\s+action\s+form\s+count\s+fits$/);
    const row = (text: string): string => lines.find((line) => line.includes(text)) ?? '';
    expect(row('lead/memory 测试发布')).toMatch(
      /^1\s+lead\/memory 测试发布\s+memory\s+post\s+text\s+\d+\/500\s+yes$/,
    );
    expect(row('m1/memory ')).toMatch(/relay #1\s+text\s+20\/500\s+yes$/);
    expect(row('m3/memory ')).toMatch(/501\/500\s+NO$/);
    expect(row('m1/other')).toMatch(/2\/\?\s+\?$/);
    // columns line up whatever the width of the characters in them
    const fitsColumn = (line: string): number =>
      terminalWidth(line) - terminalWidth(line.replace(/\s*(yes|NO|\?)$/, ''));
    expect(
      new Set(
        [row('lead/memory'), row('m1/memory '), row('m3/memory ')].map(
          (line) => terminalWidth(line) - fitsColumn(line),
        ),
      ),
    ).toHaveProperty('size', 1);
    expect(table).toContain('   【单位1】请勿信谣传谣，以官方发布为准。');
    expect(table).toContain('   title:  网传“地铁今晚全线停运”不实  [14/32]');
    expect(table).toContain('   author: 测试发布  [4/16]');
    expect(table).toMatch(/ {3}error rendition-over-limit \(renditions\[m3\/memory\]\): .* → /);
    expect(table).toContain('\nStatement:\n  error link-outside-safe-domain (link): ');
    expect(table).not.toContain('<p>');
    expect(formatPreviewTable(preview, { html: true })).toContain('html:   <p>');
  });

  it('rows only with text: none', () => {
    const table = formatPreviewTable(preview, { text: 'none' });
    expect(table).not.toContain('请勿信谣传谣');
    expect(table.split('\n').filter((line) => /^\s*\d+\s/.test(line))).toHaveLength(6);
  });

  it('measures terminal width: wide characters take two columns', () => {
    expect(terminalWidth('北京ab')).toBe(6);
    expect(terminalWidth('【】，')).toBe(6);
  });
});
