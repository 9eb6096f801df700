import { describe, expect, it } from 'vitest';
import {
  countWeiboText,
  isHostOrSubdomain,
  weiboLinks,
  withoutWeiboLinks,
} from '../../adapters/weibo/count-weibo-text.js';

describe('countWeiboText', () => {
  // Vectors of platforms.md §2.4 (third-party, reverse-engineered rule; the last one is derived).
  it.each([
    ['【转基因', 4],
    ['我司CEO！', 5],
    ['8@&*%&b', 4],
    [' Test', 3],
    ['   Test   ', 5],
    ['　　　Ｔｅｓｔｉｎｇ　　　　', 14],
    ['通知 http://www.gov.cn/zhengce/content/2024-01/01/content_123456.htm', 13],
  ])('counts %j as %i', (text, expected) => {
    expect(countWeiboText(text)).toBe(expected);
  });

  it('counts nothing as 0', () => {
    expect(countWeiboText('')).toBe(0);
  });

  it('counts a character outside the BMP once, as 2 units', () => {
    expect(countWeiboText('😀')).toBe(1);
    expect(countWeiboText('😀a')).toBe(2);
  });

  it('counts code point 0x80 as 1 unit and 0x81 as 2, as the rule is written (> 0x80)', () => {
    expect(countWeiboText('\u0080\u0080')).toBe(1);
    expect(countWeiboText('\u0081\u0081')).toBe(2);
  });

  it('counts https links like http links [unconfirmed]', () => {
    expect(
      countWeiboText('通知 https://www.gov.cn/zhengce/content/2024-01/01/content_123456.htm'),
    ).toBe(13);
  });

  it('counts a link over 140 bytes as byteLength - 140 + 20 units', () => {
    const link = `http://www.gov.cn/${'a'.repeat(150 - 'http://www.gov.cn/'.length)}`;
    expect(link.length).toBe(150);
    expect(countWeiboText(link)).toBe(Math.ceil((150 - 140 + 20) / 2));
  });

  it('counts a link of exactly 140 bytes as 20 units', () => {
    const link = `http://www.gov.cn/${'a'.repeat(140 - 'http://www.gov.cn/'.length)}`;
    expect(countWeiboText(link)).toBe(10);
  });

  it('counts short weibo.com and weibo.cn links at their real length', () => {
    expect(countWeiboText('http://weibo.com/u/1')).toBe(10); // 20 bytes → 20 units
    expect(countWeiboText('http://weibo.com/2418724427/abc')).toBe(Math.ceil(31 / 2));
    expect(countWeiboText('http://m.weibo.cn/status/1')).toBe(13);
  });

  it('counts a weibo.com link over 41 bytes like any link', () => {
    const link = `http://weibo.com/${'1'.repeat(30)}`;
    expect(link.length).toBe(47);
    expect(countWeiboText(link)).toBe(10);
  });

  it('counts t.cn links by their characters', () => {
    expect(countWeiboText('http://t.cn/A6abcdEF')).toBe(10);
    expect(countWeiboText('http://t.cn/A6abc')).toBe(Math.ceil(17 / 2));
  });

  it('ends a link at the first non-ASCII character', () => {
    expect(weiboLinks('详见http://www.gov.cn/a.htm。谢谢')).toEqual(['http://www.gov.cn/a.htm']);
    // 详见 (4) + link (20) + 。谢谢 (6) = 30 units
    expect(countWeiboText('详见http://www.gov.cn/a.htm。谢谢')).toBe(15);
  });
});

describe('link helpers', () => {
  it('removes links', () => {
    expect(withoutWeiboLinks('a http://x.cn/1 b https://y.cn/2')).toBe('a   b  ');
  });

  it('matches a host or its subdomains, without case', () => {
    expect(isHostOrSubdomain('www.beijing.gov.cn', 'beijing.gov.cn')).toBe(true);
    expect(isHostOrSubdomain('WWW.Beijing.gov.cn', 'www.beijing.gov.cn')).toBe(true);
    expect(isHostOrSubdomain('evilbeijing.gov.cn', 'beijing.gov.cn')).toBe(false);
  });
});
