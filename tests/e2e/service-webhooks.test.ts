/**
 * Signed webhooks from the HTTP service, end to end on loopback: a receiver that verifies every
 * request with the exported helper, a campaign with one failing account, and a receiver that
 * answers 500 at first.
 */
import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialsResolver, readDataFile } from 'release-hall';
import { type WebhookEvent, verifyWebhook } from 'release-hall/webhooks';
import { statementPath } from '../helpers/beijing.js';
import { SECRETS, type Setup, call, settled, setup, teardown } from '../helpers/service.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

interface Received {
  readonly id: string;
  readonly event: WebhookEvent | undefined;
  readonly status: number;
}

/** A receiver that verifies each request and answers `failFirst` of them with 500. */
async function startReceiver(failFirst: number) {
  const received: Received[] = [];
  let failures = failFirst;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let event: WebhookEvent | undefined;
      try {
        event = verifyWebhook({ secret, headers: request.headers, body });
      } catch {
        event = undefined;
      }
      const status = event === undefined ? 401 : failures-- > 0 ? 500 : 204;
      received.push({ id: String(request.headers['webhook-id']), event, status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('signed webhooks of the HTTP service', () => {
  let value: Setup | undefined;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
  let failingUid = '';
  beforeAll(async () => {
    receiver = await startReceiver(3);
    value = await setup(
      (hall) => {
        hall.webhooks = [
          {
            id: 'cms',
            url: receiver!.url,
            events: ['delivery.failed', 'campaign.settled'],
            secret: 'cms-hook',
            retry: { firstDelayMs: 10, maxDelayMs: 40 },
          },
        ];
        const members = hall.members as { accounts: { weibo?: { uid: string } } }[];
        failingUid = members[3]!.accounts.weibo!.uid;
      },
      {
        webhooks: {
          credentials: createCredentialsResolver({
            env: { RELEASE_HALL_CRED_CMS_HOOK__SECRET: secret },
          }),
          pollMs: 10,
        },
      },
    );
  });
  afterAll(async () => {
    await teardown(value);
    await receiver?.close();
  });

  it('sends delivery.failed and campaign.settled, signed, retried with the same id until a 2xx', async () => {
    const { service, sandbox } = value!;
    sandbox.weibo.platform.injectFault({ kind: 'token-expired', uid: failingUid, times: 50 });
    const statement = await readDataFile(statementPath, 'statement');
    const created = await call(service, 'POST', '/v1/campaigns', {
      key: SECRETS.operator,
      body: { statement },
      headers: { 'idempotency-key': 'webhooks-1' },
    });
    expect(created.status).toBe(202);
    const { campaignId } = (await created.json()) as { campaignId: string };
    const status = (await settled(service, campaignId)) as { counts: { failed: number } };
    expect(status.counts.failed).toBeGreaterThanOrEqual(1);

    const accepted = () => receiver!.received.filter((entry) => entry.status === 204);
    await until(() => accepted().some((entry) => entry.event?.type === 'campaign.settled'));
    await until(() => accepted().length === status.counts.failed + 1);

    const received = receiver!.received;
    // Every request was signed and verified; none was refused by the helper.
    expect(received.every((entry) => entry.status !== 401)).toBe(true);
    const failed = accepted().filter((entry) => entry.event?.type === 'delivery.failed');
    expect(failed).toHaveLength(status.counts.failed);
    expect(failed[0]!.event!.data).toMatchObject({
      campaignId,
      platform: 'weibo',
      status: 'failed',
    });
    const settledEvent = accepted().find((entry) => entry.event?.type === 'campaign.settled');
    expect(settledEvent!.event!.data).toMatchObject({ campaignId, status: 'finished' });

    // The first three answers were 500: those events came again with the same webhook-id.
    const refused = received.filter((entry) => entry.status === 500);
    expect(refused).toHaveLength(3);
    for (const entry of refused) {
      expect(accepted().some((later) => later.id === entry.id)).toBe(true);
    }
    // Each event accepted once, under one id.
    const ids = accepted().map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);

    const listing = await call(service, 'GET', '/v1/webhooks', { key: SECRETS.viewer });
    expect(listing.status).toBe(200);
    const body = (await listing.json()) as {
      webhooks: { id: string; pending: number }[];
      events: { id: string; status: string; attempts: number }[];
    };
    expect(body.webhooks).toEqual([expect.objectContaining({ id: 'cms', pending: 0 }) as unknown]);
    expect(body.events.every((event) => event.status === 'delivered')).toBe(true);
    expect(body.events.map((event) => event.id).sort()).toEqual([...ids].sort());
    expect(JSON.stringify(body)).not.toContain(secret);
    const retried = body.events.filter((event) => refused.some((entry) => entry.id === event.id));
    expect(retried.every((event) => event.attempts >= 2)).toBe(true);
  });
});
