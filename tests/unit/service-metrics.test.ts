import { EventEmitter } from 'eventemitter3';
import { describe, expect, it } from 'vitest';
import type { PublisherEvents } from '../../src/events.js';
import type { DeliveryResult } from '../../src/run/types.js';
import { DURATION_BUCKETS, createMetrics, escapeLabelValue } from '../../src/service/metrics.js';

function result(fields: Partial<DeliveryResult> & Pick<DeliveryResult, 'status'>): DeliveryResult {
  return {
    deliveryId: 'd1',
    accountId: 'a1',
    memberId: 'm1',
    platform: 'weibo',
    handle: 'h',
    action: 'post',
    performed: 'post',
    attempts: 1,
    ...fields,
  };
}

function observed() {
  const events = new EventEmitter<PublisherEvents>();
  const metrics = createMetrics();
  metrics.observePublisher({ on: events.on.bind(events) });
  return { events, metrics };
}

/** The sample lines of one metric family (its name and the suffixed names of a histogram). */
function samples(text: string, name: string): string[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && /^[a-z_]+[{ ]/.test(line))
    .filter((line) => line.slice(name.length).match(/^(_bucket|_sum|_count)?[{ ]/));
}

describe('service metrics', () => {
  it('renders HELP and TYPE for every family, in a fixed order, ending with a newline', () => {
    const text = createMetrics().render({ campaignsRunning: 2 });
    expect(text.endsWith('\n')).toBe(true);
    const headers = text.split('\n').filter((line) => line.startsWith('# '));
    expect(headers).toEqual([
      '# HELP release_hall_deliveries_total Deliveries ended in this process, by platform and status.',
      '# TYPE release_hall_deliveries_total counter',
      '# HELP release_hall_delivery_duration_seconds Time from the first attempt of a delivery to its end, in seconds.',
      '# TYPE release_hall_delivery_duration_seconds histogram',
      '# HELP release_hall_delivery_retries_total Attempts that failed and were followed by another, by platform and error code.',
      '# TYPE release_hall_delivery_retries_total counter',
      '# HELP release_hall_deadline_missed_total Campaigns whose response deadline passed with some accounts not live yet.',
      '# TYPE release_hall_deadline_missed_total counter',
      '# HELP release_hall_campaigns_running Campaigns of the journal whose state is running.',
      '# TYPE release_hall_campaigns_running gauge',
      '# HELP release_hall_http_requests_total Requests the service answered, by method, matched route and status.',
      '# TYPE release_hall_http_requests_total counter',
      '# HELP release_hall_token_fetches_total Access-token fetches the adapters made in this process (not cached reads), by platform and outcome.',
      '# TYPE release_hall_token_fetches_total counter',
      '# HELP release_hall_pushes_left Pushes (mass sends) an account has left in its quota period, as last worked out when a campaign that pushed on it ended.',
      '# TYPE release_hall_pushes_left gauge',
    ]);
    expect(text).toContain('\nrelease_hall_deadline_missed_total 0\n');
    expect(text).toContain('\nrelease_hall_campaigns_running 2\n');
    expect(createMetrics().render()).not.toMatch(/^release_hall_campaigns_running /m);
  });

  it('keeps each registry apart', () => {
    const first = createMetrics();
    first.observeRequest({ method: 'GET', route: '/healthz', status: 200 });
    expect(createMetrics().render()).not.toContain('route="/healthz"');
  });

  it('counts deliveries by platform and the status of the result (a failed one may be unconfirmed)', () => {
    const { events, metrics } = observed();
    events.emit('delivery:succeeded', { campaignId: 'c', result: result({ status: 'succeeded' }) });
    events.emit('delivery:succeeded', { campaignId: 'c', result: result({ status: 'succeeded' }) });
    events.emit('delivery:failed', { campaignId: 'c', result: result({ status: 'failed' }) });
    events.emit('delivery:failed', { campaignId: 'c', result: result({ status: 'unconfirmed' }) });
    events.emit('delivery:skipped', {
      campaignId: 'c',
      result: result({ status: 'skipped', platform: 'wechat' }),
    });
    expect(samples(metrics.render(), 'release_hall_deliveries_total')).toEqual([
      'release_hall_deliveries_total{platform="wechat",status="skipped"} 1',
      'release_hall_deliveries_total{platform="weibo",status="failed"} 1',
      'release_hall_deliveries_total{platform="weibo",status="succeeded"} 2',
      'release_hall_deliveries_total{platform="weibo",status="unconfirmed"} 1',
    ]);
  });

  it('keeps cumulative histogram buckets whose +Inf equals _count, from durationMs when present', () => {
    const { events, metrics } = observed();
    for (const durationMs of [10, 50, 120, 700, 4_000, 90_000]) {
      events.emit('delivery:succeeded', {
        campaignId: 'c',
        result: result({ status: 'succeeded', durationMs }),
      });
    }
    // No duration: counted as a delivery, not observed in the histogram.
    events.emit('delivery:skipped', { campaignId: 'c', result: result({ status: 'skipped' }) });
    const lines = samples(metrics.render(), 'release_hall_delivery_duration_seconds');
    expect(lines).toEqual([
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="0.05"} 2',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="0.1"} 2',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="0.25"} 3',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="0.5"} 3',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="1"} 4',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="2.5"} 4',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="5"} 5',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="10"} 5',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="30"} 5',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="60"} 5',
      'release_hall_delivery_duration_seconds_bucket{platform="weibo",le="+Inf"} 6',
      'release_hall_delivery_duration_seconds_sum{platform="weibo"} 94.88',
      'release_hall_delivery_duration_seconds_count{platform="weibo"} 6',
    ]);
    expect(lines).toHaveLength(DURATION_BUCKETS.length + 3);
  });

  it('counts retries by platform and code, and missed deadlines', () => {
    const { events, metrics } = observed();
    const retrying = {
      campaignId: 'c',
      deliveryId: 'd1',
      accountId: 'a1',
      platform: 'tencent',
      action: 'post' as const,
      attempt: 1,
      code: 'TRANSIENT' as const,
      message: 'reset',
      delayMs: 10,
    };
    events.emit('delivery:retrying', retrying);
    events.emit('delivery:retrying', { ...retrying, attempt: 2 });
    events.emit('deadline:missed', {
      campaignId: 'c',
      from: 'eventAt',
      startedAt: '2024-01-01T00:00:00.000Z',
      deadlineMinutes: 30,
      deadlineAt: '2024-01-01T00:30:00.000Z',
      accounts: [],
    });
    const text = metrics.render();
    expect(samples(text, 'release_hall_delivery_retries_total')).toEqual([
      'release_hall_delivery_retries_total{platform="tencent",code="TRANSIENT"} 2',
    ]);
    expect(samples(text, 'release_hall_deadline_missed_total')).toEqual([
      'release_hall_deadline_missed_total 1',
    ]);
  });

  it('escapes backslash, double quote and line feed in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    const metrics = createMetrics();
    metrics.observeRequest({ method: 'GET', route: 'x\\"\ny', status: 404 });
    metrics.observeRequest({ method: 'GET', route: '/healthz', status: 200 });
    metrics.observeRequest({ status: 200, route: '/healthz', method: 'GET' });
    expect(samples(metrics.render(), 'release_hall_http_requests_total')).toEqual([
      'release_hall_http_requests_total{method="GET",route="/healthz",status="200"} 2',
      'release_hall_http_requests_total{method="GET",route="x\\\\\\"\\ny",status="404"} 1',
    ]);
  });
});
