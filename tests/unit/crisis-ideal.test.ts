import { describe, expect, it } from 'vitest';
import { WECHAT_DEFAULT_POLL_INTERVALS_MS } from 'release-hall/adapters/wechat';
import { WEIBO_RULES, hallIdeal, hoursWaited, platformIdeal } from '../bench/crisis-ideal.js';

const input = { meanLatencyMs: 80, wechatPublishDelayMs: 1_000 };

describe('the crisis ideal from platform rules', () => {
  it('relays on Weibo and Tencent: the lead, then every relay at once', () => {
    for (const platform of ['weibo', 'tencent']) {
      const ideal = platformIdeal(platform, 72, input);
      expect(ideal.idealMs).toBe(160);
      expect(ideal.calls).toBe(72);
      expect(ideal.relays).toBe(true);
    }
    expect(platformIdeal('weibo', 1, input).idealMs).toBe(80);
  });

  it('does not depend on how many accounts relay while no documented limit binds', () => {
    expect(platformIdeal('weibo', 700, input).idealMs).toBe(160);
    expect(platformIdeal('weibo', 700, input).binding).toMatch(/no documented limit binds/);
  });

  it('pushes the calls beyond the per-IP hourly quota of a test-level Weibo app to the next hour', () => {
    expect(hoursWaited(WEIBO_RULES.callsPerIpPerHour, WEIBO_RULES.callsPerIpPerHour)).toBe(0);
    expect(hoursWaited(WEIBO_RULES.callsPerIpPerHour + 1, WEIBO_RULES.callsPerIpPerHour)).toBe(1);
    const over = platformIdeal('weibo', 2_500, input);
    expect(over.idealMs).toBe(160 + 2 * 3_600_000);
    expect(over.binding).toMatch(/per-IP hourly quota .* binds/);
  });

  it('takes a WeChat article as five requests and the publish job', () => {
    const ideal = platformIdeal('wechat', 72, input);
    expect(ideal.requestsPerDelivery).toBe(5);
    // token, cover, draft (3 × 80), then the job ends 1 000 ms after the submit arrived, read 80 later
    expect(ideal.idealMs).toBe(3 * 80 + 1_000 + 80);
    // a job that ends before the submit answers is read right after the answer
    expect(platformIdeal('wechat', 72, { ...input, wechatPublishDelayMs: 0 }).idealMs).toBe(400);
  });

  it('takes the slowest platform as the hall’s ideal', () => {
    const parts = ['weibo', 'tencent', 'wechat'].map((platform) =>
      platformIdeal(platform, 72, input),
    );
    expect(hallIdeal(parts)).toBe(1_320);
    expect(() => platformIdeal('myspace', 1, input)).toThrow(/no platform rules/);
  });
});

describe('the defaults a crisis runs with', () => {
  it('polls a WeChat publish job often in its first seconds, for about five and a half minutes', () => {
    expect(WECHAT_DEFAULT_POLL_INTERVALS_MS[0]).toBeLessThanOrEqual(250);
    const total = WECHAT_DEFAULT_POLL_INTERVALS_MS.reduce((sum, wait) => sum + wait, 0);
    expect(total).toBeGreaterThan(300_000);
    expect(total).toBeLessThan(360_000);
    for (let index = 1; index < WECHAT_DEFAULT_POLL_INTERVALS_MS.length; index++) {
      expect(WECHAT_DEFAULT_POLL_INTERVALS_MS[index]!).toBeGreaterThanOrEqual(
        WECHAT_DEFAULT_POLL_INTERVALS_MS[index - 1]!,
      );
    }
  });
});
