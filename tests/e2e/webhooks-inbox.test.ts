/**
 * `inbox.item` end to end on loopback: the service with a webhook subscribed to it, the callback
 * driver playing WeChat for a follower's message, and a receiver that verifies every request with
 * the exported helper. A message WeChat sends again is one event; an item stored by another
 * process on the same journal (as `inbox sync` does) is sent by the running service.
 */
import { createHash, randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCredentialsResolver,
  createPublisher,
  readDataFile,
  resolveHall,
} from 'release-hall';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import {
  type RunningService,
  resolveApiKeys,
  resolveWechatCallbacks,
  startService,
} from 'release-hall/service';
import { createCallbackDriver } from 'release-hall/testing';
import { type WebhookEvent, verifyWebhook } from 'release-hall/webhooks';
import { beijingHall } from '../helpers/beijing.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;

interface Member {
  readonly id: string;
  readonly accounts: { wechat: { appid: string; credentials: string } };
}

interface Received {
  readonly id: string;
  readonly event: WebhookEvent | undefined;
}

const aesKeyOf = (memberId: string): string =>
  createHash('sha256').update(`aes:${memberId}`).digest('base64').slice(0, 43);
const tokenOf = (memberId: string): string => `cb-${memberId}-token`;
const envName = (ref: string, field: string): string =>
  `RELEASE_HALL_CRED_${ref.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}__${field.toUpperCase()}`;

/** A receiver on loopback that verifies each request and answers 204 (401 when it fails). */
async function startReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let event: WebhookEvent | undefined;
      try {
        event = verifyWebhook({ secret, headers: request.headers, body: Buffer.concat(chunks) });
      } catch {
        event = undefined;
      }
      received.push({ id: String(request.headers['webhook-id']), event });
      response.writeHead(event === undefined ? 401 : 204).end();
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

let dir: string;
let hall: { members: Member[]; webhooks?: unknown };
let sandbox: HallSandbox;
let journal: SqliteJournal;
let service: RunningService;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-webhooks-inbox-'));
  receiver = await startReceiver();
  hall = (await beijingHall(['wechat'])) as typeof hall;
  const env: Record<string, string> = {
    [envName('api-ops', 'key')]: 'operator-secret-0123456789abcdef',
    [envName('cms-hook', 'secret')]: secret,
  };
  for (const member of hall.members) {
    env[envName(member.accounts.wechat.credentials, 'callback_token')] = tokenOf(member.id);
    env[envName(member.accounts.wechat.credentials, 'encoding_aes_key')] = aesKeyOf(member.id);
  }
  hall.webhooks = [
    {
      id: 'cms',
      url: receiver.url,
      events: ['inbox.item'],
      secret: 'cms-hook',
      retry: { firstDelayMs: 10, maxDelayMs: 40 },
    },
    // Subscribed to other events only: it receives nothing for an inbox item.
    { id: 'ops', url: `${receiver.url}/ops`, events: ['campaign.settled'], secret: 'cms-hook' },
  ];
  // The hall file as an operator writes it: read back from disk.
  writeFileSync(join(dir, 'hall.json'), JSON.stringify(hall));
  hall = (await readDataFile(join(dir, 'hall.json'), 'hall')) as typeof hall;

  sandbox = await startHallSandbox(hall, { wechat: { latency: { fixedMs: 1 } } });
  journal = new SqliteJournal(join(dir, 'journal.db'));
  const credentials = createCredentialsResolver({ resolve: sandbox.credentials, env });
  const adapters = [createWechatAdapter({ baseURL: sandbox.baseURLs.wechat! })];
  const callbacks = await resolveWechatCallbacks(resolveHall(hall, adapters), credentials);
  expect(callbacks.unmounted).toEqual([]);
  service = await startService({
    publisher: (actor) =>
      createPublisher({ hall, adapters, credentials, journal, actor, sandbox: true }),
    keys: await resolveApiKeys(
      { keys: [{ id: 'ops', role: 'operator', credentials: 'api-ops' }] },
      credentials,
    ),
    wechat: { accounts: callbacks.accounts, adapters, credentials, crisisRefreshMs: 0 },
    webhooks: { credentials, pollMs: 10 },
  });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await journal?.close();
  await sandbox?.close();
  await receiver?.close();
});

describe('inbox.item webhooks of the service', () => {
  it("sends one signed inbox.item for a follower's message, however often WeChat sends it", async () => {
    const index = 3;
    const member = hall.members[index]!;
    const driver = createCallbackDriver({
      token: tokenOf(member.id),
      appId: member.accounts.wechat.appid,
      encodingAESKey: aesKeyOf(member.id),
      mode: 'safe',
      account: 'gh_000000000003',
      openId: 'oFollower-inbox',
      target: `${service.url}/wechat/${member.id}`,
    });
    const msgId = '9407199254741003';
    const createTime = 1764120600;
    const first = await driver.sendText('请问居住证怎么办理', { msgId, createTime });
    expect(first.status).toBe(200);
    // WeChat tries again when the answer is late: the same MsgId, twice more.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      expect((await driver.sendText('请问居住证怎么办理', { msgId, createTime })).status).toBe(200);
    }
    await until(() => receiver.received.length >= 1);

    const [item] = (await journal.listInbox({ memberId: member.id })).filter(
      (stored) => stored.remoteId === msgId,
    );
    expect(item).toBeDefined();
    const [received] = receiver.received;
    expect(received!.event).toBeDefined();
    expect(received!.event).toMatchObject({ id: received!.id, type: 'inbox.item' });
    expect(received!.event!.data).toEqual({
      platform: 'wechat',
      account: `${member.id}/wechat`,
      member: member.id,
      kind: 'message',
      itemId: msgId,
      author: { id: 'oFollower-inbox', name: 'oFollower-inbox' },
      text: '请问居住证怎么办理',
      at: '2025-11-26T01:30:00.000Z',
      storedAt: item!.storedAt,
    });

    // Another process on the same journal (a second `serve`, `inbox sync`) storing the item again
    // writes no event; a new item it stores is sent by the running service.
    const other = new SqliteJournal(join(dir, 'journal.db'));
    other.subscribeOutbox([{ webhookId: 'cms', events: ['inbox.item'] }]);
    const { memberId, ...again } = item!;
    expect(await other.putInboxItems([{ ...again, memberId }])).toBe(0);
    expect(
      await other.putInboxPage(
        `${member.id}/wechat`,
        [{ ...again, memberId, remoteId: '9407199254741004', text: '第二条' }],
        { messages: '9407199254741004' },
      ),
    ).toBe(1);
    await other.close();
    await until(() => receiver.received.length >= 2);
    // Let the sender poll a few more times: nothing else is owed.
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(receiver.received.every((entry) => entry.event !== undefined)).toBe(true);
    expect(receiver.received.map((entry) => entry.event!.data.itemId)).toEqual([
      msgId,
      '9407199254741004',
    ]);
    expect(receiver.received[1]!.event!.data).toMatchObject({ text: '第二条', member: member.id });
    expect(new Set(receiver.received.map((entry) => entry.id)).size).toBe(2);
    const rows = await journal.listOutbox(10);
    expect(rows.map((row) => [row.webhookId, row.type, row.deliveredAt !== undefined])).toEqual([
      ['cms', 'inbox.item', true],
      ['cms', 'inbox.item', true],
    ]);
  });
});
