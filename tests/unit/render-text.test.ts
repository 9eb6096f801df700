import { describe, expect, it } from 'vitest';
import {
  type TextProfile,
  formatStatementTime,
  parseStatement,
  renderText,
  resolveHall,
} from 'release-hall';
import { splitSentences } from '../../src/render/split-text.js';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { memoryHall, rebuttal } from '../helpers/fixtures.js';

const resolved = resolveHall(memoryHall(1), [createMemoryAdapter()]);
const member = resolved.hall.members[1]!;
const statement = parseStatement(rebuttal);
const charProfile = (maxLength: number, link = true, topics = false): TextProfile => ({
  name: `chars-${maxLength}`,
  maxLength,
  count: (text) => [...text].length,
  requiresSafeDomainLink: link,
  allowsTopics: topics,
});

describe('renderText', () => {
  it('keeps the whole statement when it fits, with prefix, signature and link', () => {
    const rendition = renderText(statement, {
      profile: charProfile(1000),
      hall: resolved.hall,
      member,
      handle: '单位1',
    });
    expect(rendition.summarised).toBe(false);
    expect(rendition.text.startsWith('【单位1】网传“地铁今晚全线停运”不实：')).toBe(true);
    expect(rendition.text).toContain('（测试市交通委员会 11月26日9时30分）');
    expect(rendition.text.endsWith(statement.link)).toBe(true);
  });

  it('summarises by whole sentences, keeps key facts first, and always ends with the link', () => {
    for (const max of [80, 90, 100, 120, 140]) {
      const rendition = renderText(statement, {
        profile: charProfile(max),
        hall: resolved.hall,
        member,
        handle: '单位1',
      });
      expect(rendition.length).toBeLessThanOrEqual(max);
      expect(rendition.text.endsWith(statement.link)).toBe(true);
      if (rendition.summarised && max >= 100) expect(rendition.text).toContain('12345');
      // never cut inside a sentence: every part included is whole
      const body = rendition.text.split('：')[1] ?? '';
      for (const fact of statement.facts ?? []) {
        if (body.includes(fact.slice(0, 4))) expect(body).toContain(fact);
      }
    }
  });

  it('refuses a headline that cannot fit with the link', () => {
    expect(() =>
      renderText(statement, {
        profile: charProfile(20),
        hall: resolved.hall,
        member,
        handle: '单位1',
      }),
    ).toThrow(/shorten the headline/);
  });

  it('adds topics only where the profile allows them', () => {
    const withTopics = parseStatement({ ...rebuttal, topics: ['北京辟谣'] });
    const allowed = renderText(withTopics, {
      profile: charProfile(1000, false, true),
      hall: resolved.hall,
      member,
      handle: '单位1',
    });
    const refused = renderText(withTopics, {
      profile: charProfile(1000, true, false),
      hall: resolved.hall,
      member,
      handle: '单位1',
    });
    expect(allowed.text.startsWith('#北京辟谣#')).toBe(true);
    expect(refused.text).not.toContain('#');
  });

  it('relay comments carry the prefix and the advice', () => {
    const rendition = renderText(statement, {
      profile: charProfile(140),
      hall: resolved.hall,
      member,
      handle: '单位1',
      relay: true,
    });
    expect(rendition.text).toBe('【单位1】请勿信谣传谣，以官方发布为准。');
  });

  it('formats times in Asia/Shanghai whatever the offset given', () => {
    expect(formatStatementTime('2026-11-26T01:30:00Z')).toBe('11月26日9时30分');
    expect(formatStatementTime('2026-11-26T16:05:00Z')).toBe('11月27日0时05分');
  });

  it('splits sentences at Chinese and Western end marks', () => {
    expect(splitSentences('第一句。第二句！Third? 第四句')).toEqual([
      '第一句。',
      '第二句！',
      'Third?',
      '第四句',
    ]);
  });
});
