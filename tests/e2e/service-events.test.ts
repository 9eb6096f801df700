/**
 * The events stream of the HTTP service end to end: real HTTP on loopback with plain fetch reading
 * `text/event-stream`, a durable journal, the Weibo sandbox behind the publisher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataFile } from 'release-hall';
import type { RunningService } from 'release-hall/service';
import { compareEventKeys, parseEventId } from '../../src/service/events.js';
import { statementPath } from '../helpers/beijing.js';
import { SECRETS, type Setup, setup, teardown } from '../helpers/service.js';

const FINAL = new Set(['succeeded', 'reconciled', 'failed', 'skipped', 'retracted']);

interface StreamEvent {
  readonly event: string;
  readonly id?: string;
  readonly data: Record<string, unknown>;
}

/** Reads a whole event stream, until the server ends it. */
async function readStream(response: Response): Promise<{ events: StreamEvent[]; raw: string }> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const raw = await response.text();
  const events: StreamEvent[] = [];
  for (const block of raw.split('\n\n')) {
    const lines = block.split('\n').filter((line) => line !== '' && !line.startsWith(':'));
    if (lines.length === 0) continue;
    const field = (name: string): string | undefined =>
      lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2);
    const id = field('id');
    events.push({
      event: field('event') ?? 'message',
      ...(id === undefined ? {} : { id }),
      data: JSON.parse(field('data') ?? '{}') as Record<string, unknown>,
    });
  }
  return { events, raw };
}

function events(
  service: RunningService,
  campaignId: string,
  options: { key?: string; headers?: Record<string, string>; query?: string } = {},
): Promise<Response> {
  return fetch(`${service.url}/v1/campaigns/${campaignId}/events${options.query ?? ''}`, {
    headers: {
      ...(options.key === undefined ? {} : { authorization: `Bearer ${options.key}` }),
      ...options.headers,
    },
  });
}

describe('the events stream of the HTTP service', () => {
  let value: Setup | undefined;
  let statement: unknown;
  beforeAll(async () => {
    value = await setup(undefined, { events: { pollMs: 20 } });
    statement = await readDataFile(statementPath, 'statement');
  });
  afterAll(async () => {
    await teardown(value);
  });
  const service = (): RunningService => value!.service;

  it('refuses a missing key (401), an unknown campaign (404) and an id it did not send (400)', async () => {
    const none = await events(service(), 'anything');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await events(service(), 'no-such-campaign', { key: SECRETS.viewer });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(((await unknown.json()) as { detail: string }).detail).toContain('no-such-campaign');
  });

  it('streams a campaign to its end, resumes after an id, and closes with the campaign event', async () => {
    const created = await fetch(`${service().url}/v1/campaigns`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SECRETS.operator}`,
        'content-type': 'application/json',
        'idempotency-key': 'events-1',
      },
      body: JSON.stringify({ statement, mode: 'relay' }),
    });
    expect(created.status).toBe(202);
    const { campaignId } = (await created.json()) as { campaignId: string };

    const { events: streamed, raw } = await readStream(
      await events(service(), campaignId, { key: SECRETS.viewer }),
    );
    const deliveries = streamed.filter((event) => event.event === 'delivery');
    const last = streamed.at(-1)!;
    expect(last.event).toBe('campaign');
    expect(streamed.filter((event) => event.event === 'campaign')).toHaveLength(1);
    expect(last.data).toMatchObject({
      campaignId,
      state: 'finished',
      counts: { total: 72, succeeded: 72, pending: 0 },
    });

    // Every delivery's final state arrives once.
    const finals = new Map<string, number>();
    for (const event of deliveries) {
      const state = event.data.state as string;
      if (FINAL.has(state)) {
        const id = event.data.deliveryId as string;
        finals.set(id, (finals.get(id) ?? 0) + 1);
      }
    }
    expect(finals.size).toBe(72);
    expect([...finals.values()].every((count) => count === 1)).toBe(true);

    // Ids are unique and in order; no text or secret is sent.
    const keys = deliveries.map((event) => parseEventId(event.id!)!);
    expect(new Set(deliveries.map((event) => event.id)).size).toBe(deliveries.length);
    for (let index = 1; index < keys.length; index += 1) {
      expect(compareEventKeys(keys[index - 1]!, keys[index]!)).toBeLessThan(0);
    }
    for (const event of deliveries) {
      expect(Object.keys(event.data).sort()).toEqual(
        expect.arrayContaining(['accountId', 'action', 'at', 'deliveryId', 'platform', 'state']),
      );
      expect(event.data).not.toHaveProperty('text');
      expect(event.data).not.toHaveProperty('errorMessage');
    }
    for (const secret of Object.values(SECRETS)) expect(raw).not.toContain(secret);

    // Resuming sends only what came after the id, by header or by query.
    const middle = Math.floor(deliveries.length / 2);
    const after = deliveries.slice(middle + 1).map((event) => event.id);
    const byHeader = await readStream(
      await events(service(), campaignId, {
        key: SECRETS.viewer,
        headers: { 'last-event-id': deliveries[middle]!.id! },
      }),
    );
    expect(
      byHeader.events.filter((event) => event.event === 'delivery').map((event) => event.id),
    ).toEqual(after);
    expect(byHeader.events.at(-1)?.event).toBe('campaign');
    const byQuery = await readStream(
      await events(service(), campaignId, {
        key: SECRETS.viewer,
        query: `?lastEventId=${encodeURIComponent(deliveries.at(-1)!.id!)}`,
      }),
    );
    expect(byQuery.events.map((event) => event.event)).toEqual(['campaign']);

    const bad = await events(service(), campaignId, {
      key: SECRETS.viewer,
      headers: { 'last-event-id': 'not-an-id' },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('ends the response when the client goes away mid-campaign', async () => {
    const created = await fetch(`${service().url}/v1/campaigns`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SECRETS.operator}`,
        'content-type': 'application/json',
        'idempotency-key': 'events-2',
      },
      body: JSON.stringify({ statement }),
    });
    const { campaignId } = (await created.json()) as { campaignId: string };
    const client = new AbortController();
    const response = await fetch(`${service().url}/v1/campaigns/${campaignId}/events`, {
      headers: { authorization: `Bearer ${SECRETS.viewer}` },
      signal: client.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toContain('event: delivery');
    client.abort();
    await expect(reader.read()).rejects.toThrow();
  });
});
