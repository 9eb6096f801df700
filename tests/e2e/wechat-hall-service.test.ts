/**
 * The WeChat callbacks of a whole hall in the service, over real HTTP on loopback: 72 WeChat
 * accounts, each with its own callback token and EncodingAESKey (every second one in safe mode),
 * answered on /wechat/<member id> by the callback driver playing WeChat. Follower messages are
 * stored in a SQLite journal; a campaign published to the WeChat sandbox gives crisis mode its
 * statement and links, and its push the MsgID a MASSSENDJOBFINISH names.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Adapter,
  PUSH_ID_NOTE,
  type Publisher,
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
  type WechatServiceOptions,
  resolveApiKeys,
  resolveWechatCallbacks,
  startService,
} from 'release-hall/service';
import { type CallbackDriver, createCallbackDriver } from 'release-hall/testing';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { fastRetry } from '../helpers/fixtures.js';

const OPERATOR = 'operator-secret-0123456789abcdef';
const VIEWER = 'viewer-secret-0123456789abcdef';

interface Member {
  readonly id: string;
  readonly accounts: { wechat: { appid: string; credentials: string; autoReply?: unknown } };
}

/** A 43-character EncodingAESKey of its own for each account. */
const aesKeyOf = (memberId: string): string =>
  createHash('sha256').update(`aes:${memberId}`).digest('base64').slice(0, 43);
const tokenOf = (memberId: string): string => `cb-${memberId}-token`;
const envName = (ref: string, field: string): string =>
  `RELEASE_HALL_CRED_${ref.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}__${field.toUpperCase()}`;
const itemReply = (memberId: string, key: string): string => `${memberId} 第${key}项答复`;
const fallbackOf = (memberId: string): string => `${memberId}：回复 1 办事指南，2 联系电话`;

let dir: string;
let hall: { members: Member[]; lead: string };
let members: Member[];
let sandbox: HallSandbox;
let journal: SqliteJournal;
let env: Record<string, string>;
let publisher: (actor: string) => Publisher;
const services: RunningService[] = [];
const logs: string[] = [];
let campaignLinks: { lead: string; own: string };
let pushMsgId: string;

/**
 * The WeChat adapter of the sandbox; without replies, the same adapter with no `replyToInbox`
 * (an adapter of another maker that cannot send customer-service messages).
 */
function adapters(withReply: boolean): Adapter[] {
  const wechat = createWechatAdapter({
    baseURL: sandbox.baseURLs.wechat!,
    publishPoll: { intervalsMs: [1, 2, 4, 8] },
    limits: { requestTimeoutMs: 10_000 },
  });
  if (withReply) return [wechat];
  const withoutReply: Adapter = { ...wechat };
  delete (withoutReply as { replyToInbox?: unknown }).replyToInbox;
  return [withoutReply];
}

async function start(
  wechat: Partial<WechatServiceOptions> = {},
  withReply = true,
): Promise<RunningService> {
  const credentials = createCredentialsResolver({ resolve: sandbox.credentials, env });
  const used = adapters(withReply);
  const resolved = resolveHall(hall, used);
  const callbacks = await resolveWechatCallbacks(resolved, credentials);
  expect(callbacks.unmounted).toEqual([]);
  const keys = await resolveApiKeys(
    {
      keys: [
        { id: 'ops', role: 'operator', credentials: 'api-ops' },
        { id: 'watch', role: 'viewer', credentials: 'api-watch' },
      ],
    },
    credentials,
  );
  const service = await startService({
    publisher: (actor) =>
      createPublisher({ hall, adapters: used, credentials, journal, actor, sandbox: true }),
    keys,
    log: (line) => logs.push(line),
    wechat: {
      accounts: callbacks.accounts,
      adapters: used,
      credentials,
      crisisRefreshMs: 0,
      ...wechat,
    },
  });
  services.push(service);
  return service;
}

function driverFor(
  service: RunningService,
  index: number,
  overrides: { token?: string; openId?: string } = {},
): CallbackDriver {
  const member = members[index]!;
  const safe = index % 2 === 0;
  return createCallbackDriver({
    token: overrides.token ?? tokenOf(member.id),
    appId: member.accounts.wechat.appid,
    encodingAESKey: aesKeyOf(member.id),
    mode: safe ? 'safe' : 'plain',
    account: `gh_${String(index).padStart(12, '0')}`,
    openId: overrides.openId ?? `oFollower-${member.id}`,
    target: `${service.url}/wechat/${member.id}`,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rh-wechat-hall-'));
  hall = (await beijingHall(['wechat'])) as typeof hall;
  members = hall.members;
  env = {
    [envName('api-ops', 'key')]: OPERATOR,
    [envName('api-watch', 'key')]: VIEWER,
  };
  for (const member of members) {
    member.accounts.wechat.autoReply = {
      items: [
        { keys: ['1'], reply: itemReply(member.id, '1') },
        { keys: ['2'], reply: itemReply(member.id, '2') },
      ],
      fallback: fallbackOf(member.id),
    };
    env[envName(member.accounts.wechat.credentials, 'callback_token')] = tokenOf(member.id);
    env[envName(member.accounts.wechat.credentials, 'encoding_aes_key')] = aesKeyOf(member.id);
  }
  // The hall file as an operator writes it: read back from disk.
  writeFileSync(join(dir, 'hall.json'), JSON.stringify(hall));
  hall = (await readDataFile(join(dir, 'hall.json'), 'hall')) as typeof hall;
  members = hall.members;
  expect(members).toHaveLength(72);

  sandbox = await startHallSandbox(hall, { wechat: { latency: { fixedMs: 1 } } });
  journal = new SqliteJournal(join(dir, 'journal.db'));
  publisher = (actor) =>
    createPublisher({
      hall,
      adapters: adapters(false),
      credentials: sandbox.credentials,
      journal,
      actor,
      sandbox: true,
      retry: { ...fastRetry, retries: 1, maxRateLimitWaitMs: 5 },
    });
  // The crisis campaign: the lead and 北京交警 publish articles, 平安北京 pushes.
  const report = await publisher('test').publish(await beijingRebuttal(), {
    campaignId: 'crisis-1',
    mode: 'original',
    selection: { members: [hall.lead, 'police', 'traffic-police'] },
    push: { policy: 'push', members: ['police'], spendLast: true },
  });
  expect(report.deliveries.map((delivery) => [delivery.accountId, delivery.status])).toEqual(
    expect.arrayContaining([
      ['beijing-fabu/wechat', 'succeeded'],
      ['police/wechat', 'succeeded'],
      ['traffic-police/wechat', 'succeeded'],
    ]),
  );
  const records = await journal.getDeliveries('crisis-1');
  const urlOf = (accountId: string): string =>
    records.find((record) => record.delivery.accountId === accountId)!.url!;
  campaignLinks = { lead: urlOf('beijing-fabu/wechat'), own: urlOf('traffic-police/wechat') };
  expect(campaignLinks.lead).toMatch(/^https?:\/\//);
  expect(campaignLinks.own).not.toBe(campaignLinks.lead);
  const push = records.find((record) => record.delivery.action === 'push')!;
  pushMsgId = push.notes![PUSH_ID_NOTE]!;
  expect(pushMsgId).toMatch(/^\d+$/);
}, 60_000);

afterAll(async () => {
  for (const service of services) await service.close();
  await journal?.close();
  await sandbox?.close();
});

describe('the WeChat callbacks of a 72-account hall', () => {
  let service: RunningService;
  beforeAll(async () => {
    service = await start();
  });

  it('passes the URL check of each account with its own token, and 404 for an unknown member', async () => {
    for (const index of [0, 1, 71]) {
      const result = await driverFor(service, index).handshake('7385923');
      expect(result.status).toBe(200);
      expect(result.body).toBe('7385923');
    }
    const unknown = await fetch(`${service.url}/wechat/no-such-member?signature=x`);
    expect(unknown.status).toBe(404);
    const wrong = await driverFor(service, 3, { token: tokenOf(members[4]!.id) }).handshake('1');
    expect(wrong.status).toBe(403);
  });

  it('answers each account its own number menu, in safe mode and in plaintext, and stores every text', async () => {
    const results = await Promise.all(
      members.map(async (member, index) => {
        const driver = driverFor(service, index);
        const one = await driver.sendText('1', {
          msgId: String(9_007_199_254_741_000n + BigInt(index)),
        });
        const other = await driver.sendText('请问怎么办理居住证', {
          msgId: String(9_107_199_254_741_000n + BigInt(index)),
        });
        return { member, index, one, other };
      }),
    );
    for (const { member, index, one, other } of results) {
      expect(one.status).toBe(200);
      expect(one.encrypted).toBe(index % 2 === 0);
      expect(one.reply?.content).toBe(itemReply(member.id, '1'));
      expect(one.reply?.toUserName).toBe(`oFollower-${member.id}`);
      expect(other.reply?.content).toBe(fallbackOf(member.id));
      expect(other.encrypted).toBe(index % 2 === 0);
    }
    const stored = await journal.listInbox({});
    expect(stored).toHaveLength(144);
    for (const [index, member] of members.entries()) {
      const mine = stored.filter((item) => item.memberId === member.id);
      expect(mine.map((item) => item.remoteId).sort()).toEqual(
        [
          String(9_007_199_254_741_000n + BigInt(index)),
          String(9_107_199_254_741_000n + BigInt(index)),
        ].sort(),
      );
      for (const item of mine) {
        expect(item).toMatchObject({
          platform: 'wechat',
          accountId: `${member.id}/wechat`,
          kind: 'message',
          author: { id: `oFollower-${member.id}`, name: `oFollower-${member.id}` },
        });
        expect(Date.parse(item.at)).toBeGreaterThan(Date.parse('2020-01-01T00:00:00Z'));
      }
      expect(mine.map((item) => item.text).sort()).toEqual(['1', '请问怎么办理居住证']);
    }
  });

  it("refuses a message signed with another account's token, in both modes, and stores nothing", async () => {
    const before = (await journal.listInbox({})).length;
    for (const index of [10, 11]) {
      const result = await driverFor(service, index, { token: tokenOf(members[12]!.id) }).sendText(
        '1',
      );
      expect(result.status).toBe(403);
      expect(result.body).toBe('');
    }
    expect(await journal.listInbox({})).toHaveLength(before);
  });

  it('stores a message WeChat retries once and answers each try the same', async () => {
    for (const index of [20, 21]) {
      const driver = driverFor(service, index);
      const msgId = String(9_207_199_254_741_000n + BigInt(index));
      const request = driver.buildRequest(
        `<xml><ToUserName><![CDATA[gh_${String(index).padStart(12, '0')}]]></ToUserName><FromUserName><![CDATA[oRetry]]></FromUserName><CreateTime>1764120600</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[2]]></Content><MsgId>${msgId}</MsgId></xml>`,
      );
      const tries = [
        await driver.send(request),
        await driver.send(request),
        await driver.send(request),
      ];
      for (const result of tries) {
        expect(result.reply?.content).toBe(itemReply(members[index]!.id, '2'));
      }
      const stored = (await journal.listInbox({ memberId: members[index]!.id })).filter(
        (item) => item.remoteId === msgId,
      );
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ at: '2025-11-26T01:30:00.000Z', text: '2' });
    }
  });

  it('stores once a retry that reaches another service process on the same journal', async () => {
    const other = await start();
    const index = 22;
    const msgId = String(9_207_199_254_741_000n + BigInt(index));
    const request = driverFor(service, index).buildRequest(
      `<xml><ToUserName><![CDATA[gh_${String(index).padStart(12, '0')}]]></ToUserName><FromUserName><![CDATA[oRetry]]></FromUserName><CreateTime>1764120600</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[1]]></Content><MsgId>${msgId}</MsgId></xml>`,
    );
    const first = await driverFor(service, index).send(request);
    const retried = await driverFor(other, index).send(request);
    expect(first.reply?.content).toBe(itemReply(members[index]!.id, '1'));
    expect(retried.reply?.content).toBe(itemReply(members[index]!.id, '1'));
    const stored = (await journal.listInbox({ memberId: members[index]!.id })).filter(
      (item) => item.remoteId === msgId,
    );
    expect(stored).toHaveLength(1);
  });

  it('switches crisis mode with PUT /v1/crisis: the fallback of all 72 names the statement, the number items stay', async () => {
    const statement = await beijingRebuttal();
    const headers = { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' };
    const viewer = await fetch(`${service.url}/v1/crisis`, {
      method: 'PUT',
      headers: { ...headers, authorization: `Bearer ${VIEWER}` },
      body: JSON.stringify({ campaignId: 'crisis-1' }),
    });
    expect(viewer.status).toBe(403);
    const anonymous = await fetch(`${service.url}/v1/crisis`, { method: 'PUT', body: '{}' });
    expect(anonymous.status).toBe(401);
    const unknown = await fetch(`${service.url}/v1/crisis`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ campaignId: 'no-such-campaign' }),
    });
    expect(unknown.status).toBe(404);

    const put = await fetch(`${service.url}/v1/crisis`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ campaignId: 'crisis-1' }),
    });
    expect(put.status).toBe(200);
    const shown = await fetch(`${service.url}/v1/crisis`, {
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    expect(await shown.json()).toMatchObject({
      mode: 'crisis',
      campaignId: 'crisis-1',
      by: 'api:ops',
      accounts: 72,
      statement: { campaignId: 'crisis-1', headline: statement.headline },
    });
    const audit = await journal.getAudit('crisis-1');
    expect(audit.at(-1)).toMatchObject({
      actor: 'api:ops',
      action: 'request',
      detail: { method: 'PUT', route: '/v1/crisis' },
    });

    await expectCrisisAnswers(service, statement.headline);

    const off = await fetch(`${service.url}/v1/crisis`, { method: 'DELETE', headers });
    expect(await off.json()).toMatchObject({ mode: 'normal' });
    const after = await driverFor(service, 5).sendText('在吗');
    expect(after.reply?.content).toBe(fallbackOf(members[5]!.id));
  });

  it('starts in crisis mode with the crisis option (serve --crisis)', async () => {
    const crisisService = await start({ crisis: 'crisis-1' });
    const shown = await fetch(`${crisisService.url}/v1/crisis`, {
      headers: { authorization: `Bearer ${VIEWER}` },
    });
    expect(await shown.json()).toMatchObject({ mode: 'crisis', by: 'serve --crisis' });
    await expectCrisisAnswers(crisisService, (await beijingRebuttal()).headline);
    await expect(start({ crisis: 'no-such-campaign' })).rejects.toThrow(
      /no campaign "no-such-campaign"/,
    );
  });

  it('appends a `sent` reading to the push a MASSSENDJOBFINISH names, and logs one that names no push', async () => {
    const index = members.findIndex((member) => member.id === 'police');
    const driver = driverFor(service, index);
    const result = await driver.massSendJobFinish({
      msgId: pushMsgId,
      totalCount: 5200,
      filterCount: 5100,
      sentCount: 5087,
      errorCount: 13,
    });
    expect(result.status).toBe(200);
    expect(result.body).toBe('success');
    const readings = await journal.listReach('crisis-1');
    expect(readings).toHaveLength(1);
    expect(readings[0]).toMatchObject({
      campaignId: 'crisis-1',
      deliveryId: 'crisis-1:police/wechat:push',
      accountId: 'police/wechat',
      platform: 'wechat',
      sent: 5087,
    });
    // A notice of the same send to another account matches no push of that account.
    const other = await driverFor(service, 0).massSendJobFinish({ msgId: pushMsgId, sentCount: 9 });
    expect(other.body).toBe('success');
    expect(await journal.listReach('crisis-1')).toHaveLength(1);
    expect(logs).toContain(
      `wechat ${members[0]!.id}/wechat: mass send ${pushMsgId} finished but no push of the journal made it`,
    );
  });
});

/** Every account: "1" keeps its item, other text names the statement and the right link. */
async function expectCrisisAnswers(service: RunningService, headline: string): Promise<void> {
  const results = await Promise.all(
    members.map(async (member, index) => {
      const driver = driverFor(service, index, { openId: 'oCrisisFollower' });
      return {
        member,
        one: await driver.sendText('1'),
        other: await driver.sendText('地铁停运了吗'),
      };
    }),
  );
  for (const { member, one, other } of results) {
    expect(one.reply?.content).toBe(itemReply(member.id, '1'));
    const link = member.id === 'traffic-police' ? campaignLinks.own : campaignLinks.lead;
    expect(other.reply?.content).toBe(`${headline}\n${link}`);
  }
}

describe('late answers', () => {
  it('sends an answer slower than answerWithinMs as a customer-service message, journaled once', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const service = await start({
      answerWithinMs: 100,
      answer: async ({ message }) => {
        if (message.kind === 'text' && message.content === '查询进度') {
          await gate;
          return '您的申请已受理';
        }
        return undefined;
      },
    });
    const index = 30;
    const msgId = '9307199254741030';
    const { appid } = members[index]!.accounts.wechat;
    const openid = `oFollower-${members[index]!.id}`;
    // WeChat itself saw the follower write: that opens its 48-hour window for the account.
    const platform = sandbox.wechat!.platform;
    platform.receiveMessage({ appid, openid, text: '查询进度' });
    const result = await driverFor(service, index).sendText('查询进度', { msgId });
    expect(result.status).toBe(200);
    expect(result.body).toBe('success');
    expect(platform.customMessages(appid)).toEqual([]);
    release();
    await until(() => platform.customMessages(appid).length > 0);
    expect(
      platform.customMessages(appid).map((sent) => [sent.openid, sent.msgtype, sent.text]),
    ).toEqual([[openid, 'text', '您的申请已受理']]);
    await until(async () =>
      (await journal.listReplies({})).some(
        (reply) => reply.itemRemoteId === msgId && reply.state === 'sent',
      ),
    );
    expect(
      (await journal.listReplies({})).filter((reply) => reply.itemRemoteId === msgId),
    ).toMatchObject([{ state: 'sent', text: '您的申请已受理' }]);
    const [item] = (await journal.listInbox({ memberId: members[index]!.id })).filter(
      (stored) => stored.remoteId === msgId,
    );
    expect(item?.answeredAt).toBeDefined();
  });

  it('a late menu answer goes out but leaves the message unanswered: a person still owes one', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const service = await start({
      answerWithinMs: 100,
      // The hook is slow and then leaves the answer to the menu.
      answer: async () => {
        await gate;
        return undefined;
      },
    });
    const index = 32;
    const msgId = '9307199254741032';
    const { appid } = members[index]!.accounts.wechat;
    const openid = `oFollower-${members[index]!.id}`;
    const platform = sandbox.wechat!.platform;
    platform.receiveMessage({ appid, openid, text: '随便问问' });
    expect((await driverFor(service, index).sendText('随便问问', { msgId })).body).toBe('success');
    release();
    await until(() => platform.customMessages(appid).length > 0);
    expect(platform.customMessages(appid)).toHaveLength(1);
    await until(async () =>
      (await journal.listReplies({})).some(
        (reply) => reply.itemRemoteId === msgId && reply.state === 'sent',
      ),
    );
    const [item] = (await journal.listInbox({ memberId: members[index]!.id })).filter(
      (stored) => stored.remoteId === msgId,
    );
    expect(item).toBeDefined();
    expect(item?.answeredAt).toBeUndefined();
  });

  it('stopping the service waits for a late answer under way', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const service = await start({
      answerWithinMs: 100,
      answer: async () => {
        await gate;
        return '已记录，稍后答复';
      },
    });
    const index = 33;
    const { appid } = members[index]!.accounts.wechat;
    const platform = sandbox.wechat!.platform;
    platform.receiveMessage({ appid, openid: `oFollower-${members[index]!.id}`, text: '在吗' });
    const msgId = '9307199254741033';
    expect((await driverFor(service, index).sendText('在吗', { msgId })).body).toBe('success');
    // The answer is still being worked out when the service is told to stop.
    const sent = until(() => platform.customMessages(appid).length > 0);
    const closing = service.close();
    release();
    await closing;
    await sent;
    const [reply] = (await journal.listReplies({})).filter((entry) => entry.itemRemoteId === msgId);
    expect(reply?.state).toBe('sent');
  });

  it('logs a late answer as dropped when the WeChat adapter cannot send customer-service messages', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const service = await start(
      {
        answerWithinMs: 100,
        answer: async () => {
          await gate;
          return '迟到的答复';
        },
      },
      false,
    );
    const msgId = '9307199254741031';
    const result = await driverFor(service, 31).sendText('查询进度', { msgId });
    expect(result.body).toBe('success');
    release();
    const line = `wechat ${members[31]!.id}/wechat: a late answer to message ${msgId} was dropped: the WeChat adapter cannot send customer-service messages (no replyToInbox)`;
    await until(() => logs.includes(line));
    expect(
      logs.some((logged) => logged.includes('迟到的答复') || logged.includes('查询进度')),
    ).toBe(false);
  });
});

describe('what the service logs', () => {
  it('never writes a token, an EncodingAESKey or a follower text to the log', () => {
    expect(logs.length).toBeGreaterThan(0);
    const secrets = members.flatMap((member) => [tokenOf(member.id), aesKeyOf(member.id)]);
    for (const line of logs) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      for (const text of ['请问怎么办理居住证', '地铁停运了吗', '您的申请已受理']) {
        expect(line).not.toContain(text);
      }
    }
  });
});

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
