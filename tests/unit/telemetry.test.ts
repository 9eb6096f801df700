/**
 * OpenTelemetry spans: a campaign over the Weibo sandbox (real HTTP on loopback) with one account
 * whose token has expired, then its retract, recorded by an in-memory exporter; and the same
 * library with no tracer provider registered.
 */
import { SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { activeTracer } from '../../src/telemetry/tracer.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

const SPAN_STATUS_ERROR = SpanStatusCode.ERROR;

const exporter = new InMemorySpanExporter();
let contextManager: AsyncLocalStorageContextManager | undefined;

function register(): void {
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
}

function unregister(): void {
  trace.disable();
  context.disable();
  contextManager = undefined;
}

let sandbox: HallSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
  exporter.reset();
});

function named(spans: readonly ReadableSpan[], name: string): ReadableSpan[] {
  return spans.filter((span) => span.name === name);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('spans with an SDK registered', () => {
  beforeAll(register);
  afterAll(unregister);

  it('campaign → delivery → request, with ids, outcomes and no secret or statement text', async () => {
    const hall = await beijingHall(['weibo']);
    const tokens = new Set<string>();
    sandbox = await startHallSandbox(hall, {
      weibo: { latency: { fixedMs: 1 } },
      tokenFor: (ref) => {
        const token = `tok${Buffer.from(ref).toString('hex').slice(0, 24)}z9`;
        tokens.add(token);
        return token;
      },
    });
    const haidian = sandbox.weibo.platform
      .accounts()
      .find((account) => account.screenName === '海淀发布');
    sandbox.weibo.platform.injectFault({ kind: 'token-expired', uid: haidian!.uid, times: 5 });
    const publisher = createPublisher({
      hall,
      adapters: [
        createWeiboAdapter({
          baseURL: sandbox.baseURLs.weibo,
          rip: '203.0.113.10',
          limits: { requestTimeoutMs: 5_000 },
        }),
      ],
      credentials: sandbox.credentials,
      retry: fastRetry,
    });
    const statement = await beijingRebuttal();
    const report = await publisher.publish(statement, {
      mode: 'original',
      campaignId: 'otel-1',
      selection: { members: ['beijing-fabu', 'haidian', 'police'] },
    });
    expect(report.counts).toMatchObject({ total: 3, succeeded: 2, failed: 1 });

    const spans = exporter.getFinishedSpans();
    const [campaign, ...moreCampaigns] = named(spans, 'release-hall.campaign');
    expect(moreCampaigns).toEqual([]);
    expect(campaign!.attributes).toMatchObject({
      'release_hall.operation': 'publish',
      'release_hall.campaign_id': 'otel-1',
      'release_hall.mode': 'original',
      'release_hall.deliveries.succeeded': 2,
      'release_hall.deliveries.failed': 1,
    });
    expect(parentOf(campaign!)).toBeUndefined();
    expect(campaign!.instrumentationScope.name).toBe('release-hall');

    const deliveries = named(spans, 'release-hall.delivery');
    expect(deliveries).toHaveLength(3);
    const campaignId = campaign!.spanContext().spanId;
    const traceId = campaign!.spanContext().traceId;
    for (const delivery of deliveries) {
      expect(parentOf(delivery)).toBe(campaignId);
      expect(delivery.spanContext().traceId).toBe(traceId);
      expect(delivery.attributes).toMatchObject({
        'release_hall.campaign_id': 'otel-1',
        'release_hall.platform': 'weibo',
        'release_hall.action': 'post',
      });
    }
    const failed = deliveries.find(
      (delivery) => delivery.attributes['release_hall.account'] === 'haidian/weibo',
    );
    expect(failed!.attributes).toMatchObject({
      'release_hall.delivery_id': 'otel-1:haidian/weibo:post',
      'release_hall.status': 'failed',
      'release_hall.error_code': 'AUTH_EXPIRED',
    });
    expect(failed!.status).toMatchObject({ code: SPAN_STATUS_ERROR, message: 'AUTH_EXPIRED' });
    const lead = deliveries.find(
      (delivery) => delivery.attributes['release_hall.account'] === 'beijing-fabu/weibo',
    );
    expect(lead!.attributes).toMatchObject({
      'release_hall.status': 'succeeded',
      'release_hall.attempts': 1,
    });
    expect(lead!.status.code).not.toBe(SPAN_STATUS_ERROR);

    // Every request is the child of its delivery, found through the active context.
    const requests = named(spans, 'release-hall.request');
    const deliveryIds = new Map(
      deliveries.map((delivery) => [delivery.spanContext().spanId, delivery]),
    );
    expect(requests.length).toBeGreaterThanOrEqual(3);
    for (const request of requests) {
      const parent = deliveryIds.get(parentOf(request) ?? '');
      expect(parent, `parent of ${JSON.stringify(request.attributes)}`).toBeDefined();
      expect(request.attributes['release_hall.account']).toBe(
        parent!.attributes['release_hall.account'],
      );
      expect(request.attributes['http.request.method']).toMatch(/^(GET|POST)$/);
      expect(request.attributes['url.path']).toMatch(/^\/[^?]*$/);
      expect(typeof request.attributes['http.response.status_code']).toBe('number');
    }
    const refused = requests.filter(
      (request) => parentOf(request) === failed!.spanContext().spanId,
    );
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.every((request) => request.status.code === SPAN_STATUS_ERROR)).toBe(true);
    expect(refused[0]!.attributes['error.type']).toMatch(/^[45]\d\d$/);

    // The retract: its own campaign span, a delivery span per delete, a request span per call.
    exporter.reset();
    const retracted = await publisher.retract('otel-1');
    expect(retracted.counts.removed).toBe(2);
    const afterRetract = exporter.getFinishedSpans();
    const [retract] = named(afterRetract, 'release-hall.campaign');
    expect(retract!.attributes).toMatchObject({
      'release_hall.operation': 'retract',
      'release_hall.campaign_id': 'otel-1',
      'release_hall.deliveries.removed': 2,
    });
    const deletes = named(afterRetract, 'release-hall.delivery');
    expect(deletes.length).toBe(3);
    for (const deletion of deletes) {
      expect(parentOf(deletion)).toBe(retract!.spanContext().spanId);
      expect(deletion.attributes['release_hall.action']).toBe('retract');
    }
    const deleteIds = new Set(deletes.map((deletion) => deletion.spanContext().spanId));
    const deleteRequests = named(afterRetract, 'release-hall.request');
    expect(deleteRequests.length).toBeGreaterThanOrEqual(2);
    for (const request of deleteRequests) expect(deleteIds.has(parentOf(request)!)).toBe(true);

    // No attribute holds a token, a query string or the statement's text.
    const values = [...spans, ...afterRetract].flatMap((span) =>
      Object.values(span.attributes).map(String),
    );
    expect(tokens.size).toBeGreaterThan(0);
    for (const value of values) {
      for (const token of tokens) expect(value).not.toContain(token);
      expect(value).not.toContain('access_token');
      expect(value).not.toContain(statement.headline);
      expect(value).not.toContain(statement.body.slice(0, 12));
      expect(value.length).toBeLessThan(120);
    }
    for (const span of [...spans, ...afterRetract]) {
      expect(span.status.message ?? '').not.toMatch(/tok[0-9a-f]{24}z9/);
      expect(span.events).toEqual([]);
    }
  });

  it('a resume is its own campaign span', async () => {
    const adapter = createMemoryAdapter();
    const publisher = createPublisher({
      hall: memoryHall(2),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
    });
    await publisher.publish(rebuttal, { mode: 'original', campaignId: 'otel-2' });
    exporter.reset();
    await publisher.resume('otel-2');
    const [resume, ...others] = named(exporter.getFinishedSpans(), 'release-hall.campaign');
    expect(others).toEqual([]);
    expect(resume!.attributes).toMatchObject({
      'release_hall.operation': 'resume',
      'release_hall.campaign_id': 'otel-2',
    });
  });
});

describe('without an SDK', () => {
  it('runs as before: no tracer, no span, the same report', async () => {
    trace.disable();
    context.disable();
    expect(activeTracer()).toBeUndefined();
    const adapter = createMemoryAdapter();
    const publisher = createPublisher({
      hall: memoryHall(3),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
    });
    const report = await publisher.publish(rebuttal, { mode: 'relay', campaignId: 'otel-3' });
    expect(report.counts).toMatchObject({ total: 4, succeeded: 4 });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('a provider registered later is picked up, and dropped again when disabled', () => {
    register();
    try {
      expect(activeTracer()).toBeDefined();
    } finally {
      unregister();
    }
    expect(activeTracer()).toBeUndefined();
  });
});
