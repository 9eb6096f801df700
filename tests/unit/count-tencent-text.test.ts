import { describe, expect, it } from 'vitest';
import {
  TENCENT_MAX_BYTES,
  TENCENT_URL_BYTES,
  countTencentText,
  tencentLinks,
  utf8ByteLength,
  withoutTencentLinks,
} from '../../adapters/tencent/count-tencent-text.js';
import { clientIpProblem } from '../../adapters/tencent/client-ip.js';

describe('countTencentText', () => {
  it('states the rule as data: 420 bytes, 11 bytes a URL [unconfirmed]', () => {
    expect(TENCENT_MAX_BYTES).toBe(420);
    expect(TENCENT_URL_BYTES).toBe(11);
  });

  it.each([
    ['', 0],
    ['abc', 3],
    ['北京发布', 12],
    ['【北京发布】', 18],
    ['我司CEO！', 12],
    ['2026年11月26日', 17],
    ['😀', 4],
    ['é', 2],
    ['　', 3],
  ])('counts %j as %i UTF-8 bytes', (text, expected) => {
    expect(countTencentText(text)).toBe(expected);
    expect(countTencentText(text)).toBe(utf8ByteLength(text));
  });

  it('counts every URL as 11 bytes, whatever its length', () => {
    expect(countTencentText('http://a.cn')).toBe(11);
    expect(countTencentText('https://www.beijing.gov.cn/zhengce/2026/11/26/notice.html')).toBe(11);
    expect(countTencentText('详见 https://www.beijing.gov.cn/zhengce/2026/11/26/notice.html')).toBe(
      7 + 11,
    );
    expect(countTencentText('a http://x.cn/1 b https://y.cn/2?q=1#f c')).toBe(7 + 2 * 11);
  });

  it('ends a URL at the first space or non-ASCII character', () => {
    expect(tencentLinks('见http://x.cn/a，谢谢')).toEqual(['http://x.cn/a']);
    expect(countTencentText('见http://x.cn/a，谢谢')).toBe(3 + 11 + 9);
    expect(tencentLinks('www.beijing.gov.cn without a scheme')).toEqual([]);
  });

  it('fits exactly 140 Chinese characters, and a long URL costs only 11', () => {
    expect(countTencentText('通'.repeat(140))).toBe(TENCENT_MAX_BYTES);
    expect(countTencentText('通'.repeat(141))).toBeGreaterThan(TENCENT_MAX_BYTES);
    const long = `https://www.beijing.gov.cn/${'x'.repeat(300)}`;
    expect(countTencentText(`${'通'.repeat(136)} ${long}`)).toBe(408 + 1 + 11);
  });

  it('removes URLs for comparison', () => {
    expect(withoutTencentLinks('详见 http://url.cn/abcd。')).toBe('详见  。');
  });
});

describe('clientIpProblem', () => {
  it.each(['203.0.113.7', '8.8.8.8', '172.32.0.1', '192.169.0.1', '100.64.0.1'])(
    'accepts the public address %s',
    (ip) => {
      expect(clientIpProblem(ip)).toBeUndefined();
    },
  );

  it.each([
    ['127.0.0.1', 'loopback'],
    ['255.255.255.255', 'broadcast'],
    ['10.1.2.3', 'LAN'],
    ['172.16.0.1', 'LAN'],
    ['172.31.255.1', 'LAN'],
    ['192.168.1.20', 'LAN'],
    ['169.254.1.1', 'link-local'],
    ['0.0.0.0', 'this network'],
    ['2001:db8::1', 'IPv4'],
    ['localhost', 'IPv4'],
    ['', 'IPv4'],
  ])('refuses %s (%s)', (ip, why) => {
    expect(clientIpProblem(ip)).toContain(why);
  });
});
