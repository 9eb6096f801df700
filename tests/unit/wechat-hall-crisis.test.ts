/**
 * The WeChat callbacks of the service on its Hono app (no socket): which accounts are mounted,
 * the answer of an account without a menu, crisis answers from the journal (the member's own post,
 * the lead's, the statement's link; the newest follow-up's headline), a failing journal, and the
 * limits of the callback paths.
 */
import { describe, expect, it } from 'vitest';
import {
  type CampaignRecord,
  type InboxEntry,
  type JournalDelivery,
  MemoryJournal,
  createCredentialsResolver,
  createPublisher,
  resolveHall,
} from 'release-hall';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { createServiceApp, resolveWechatCallbacks } from 'release-hall/service';
import type { WechatServiceOptions } from 'release-hall/service';
import { createCallbackDriver } from 'release-hall/testing';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const APPIDS = {
  fabu: 'wx0000000000000001',
  police: 'wx0000000000000002',
  district: 'wx0000000000000003',
  quiet: 'wx0000000000000004',
};

const hallData = {
  id: 'test-hall',
  name: '测试发布厅',
  lead: 'fabu',
  members: [
    {
      id: 'fabu',
      name: '新闻办',
      accounts: {
        weibo: { handle: '测试发布', uid: '1000000001', credentials: 'weibo-fabu' },
        wechat: { handle: '测试发布', appid: APPIDS.fabu, credentials: 'wechat-fabu' },
      },
    },
    {
      id: 'police',
      name: '公安局',
      accounts: {
        wechat: {
          handle: '平安测试',
          appid: APPIDS.police,
          credentials: 'wechat-police',
          autoReply: {
            items: [{ keys: ['1', '110'], reply: '110 报警指南' }],
            fallback: '回复 1 查看报警指南',
          },
        },
      },
    },
    {
      id: 'district',
      name: '区政府',
      accounts: {
        wechat: { handle: '测试区发布', appid: APPIDS.district, credentials: 'wechat-district' },
      },
    },
    {
      id: 'quiet',
      name: '档案馆',
      accounts: {
        wechat: { handle: '测试档案', appid: APPIDS.quiet, credentials: 'wechat-quiet' },
      },
    },
  ],
};

const env = {
  RELEASE_HALL_CRED_WECHAT_FABU__CALLBACK_TOKEN: 'token-fabu',
  RELEASE_HALL_CRED_WECHAT_POLICE__CALLBACK_TOKEN: 'token-police',
  RELEASE_HALL_CRED_WECHAT_POLICE__ENCODING_AES_KEY: KEY,
  RELEASE_HALL_CRED_WECHAT_DISTRICT__CALLBACK_TOKEN: 'token-district',
};
const tokens: Record<string, string> = {
  fabu: 'token-fabu',
  police: 'token-police',
  district: 'token-district',
};

const adapters = [createWeiboAdapter({ rip: '203.0.113.10' }), createWechatAdapter({})];
const hall = resolveHall(hallData, adapters);
const credentials = createCredentialsResolver({ env });

async function serviceApp(
  journal: MemoryJournal,
  wechat: Partial<WechatServiceOptions> = {},
  log: string[] = [],
) {
  const { accounts } = await resolveWechatCallbacks(hall, credentials);
  const app = createServiceApp({
    publisher: (actor) =>
      createPublisher({ hall: hallData, adapters, journal, credentials, actor }),
    keys: [],
    log: (line) => log.push(line),
    wechat: { accounts, adapters, credentials, ...wechat },
  });
  const driver = (member: keyof typeof tokens, token = tokens[member]!) =>
    createCallbackDriver({
      token,
      appId: APPIDS[member as keyof typeof APPIDS],
      ...(member === 'police' ? { encodingAESKey: KEY } : {}),
      target: `http://service.test/wechat/${member}`,
      fetch: (input, init) => Promise.resolve(app.fetch(new Request(input, init))),
    });
  return { app, driver };
}

function campaign(
  id: string,
  createdAt: string,
  statement: Record<string, unknown>,
): CampaignRecord {
  return {
    id,
    hallId: 'test-hall',
    mode: 'original',
    relayFallback: 'original',
    createdAt,
    state: 'finished',
    statement,
  };
}

function delivery(campaignId: string, accountId: string, action: 'post' | 'push'): JournalDelivery {
  const [memberId, platform] = accountId.split('/') as [string, string];
  return {
    id: `${campaignId}:${accountId}:${action}`,
    campaignId,
    accountId,
    memberId,
    platform,
    action,
    rendition: { format: 'text', text: 'x' } as unknown as JournalDelivery['rendition'],
    idempotencyKey: `${campaignId}:${accountId}:${action}`,
  };
}

async function seed(journal: MemoryJournal): Promise<void> {
  await journal.createCampaign(
    campaign('c1', '2026-11-26T01:00:00.000Z', {
      headline: '网传"自来水停供"不实',
      body: '经核实……',
      link: 'https://www.example.gov.cn/c1.html',
    }),
    [
      delivery('c1', 'fabu/weibo', 'post'),
      delivery('c1', 'fabu/wechat', 'post'),
      delivery('c1', 'district/wechat', 'post'),
      delivery('c1', 'police/wechat', 'push'),
    ],
  );
  const done = (deliveryId: string, remoteId: string, url?: string) =>
    journal.transition({
      deliveryId,
      state: 'succeeded',
      at: '2026-11-26T01:01:00.000Z',
      remoteId,
      ...(url === undefined ? {} : { url }),
    });
  await done('c1:fabu/weibo:post', '5100000000000001');
  await done('c1:fabu/wechat:post', '2247483650_1');
  await done('c1:district/wechat:post', '2247483651_1', 'https://mp.weixin.qq.com/s/district');
  await done('c1:police/wechat:push', 'mass:1000001625');
}

describe('which WeChat accounts the service answers', () => {
  it('mounts every account with a callback token and names the field each other one needs', async () => {
    const found = await resolveWechatCallbacks(hall, credentials);
    expect(found.accounts.map((entry) => entry.account.id)).toEqual([
      'fabu/wechat',
      'police/wechat',
      'district/wechat',
    ]);
    expect(found.accounts[1]).toMatchObject({
      appId: APPIDS.police,
      encodingAESKey: KEY,
      menu: { fallback: '回复 1 查看报警指南' },
    });
    expect(found.accounts[0]?.encodingAESKey).toBeUndefined();
    expect(found.unmounted.map((entry) => entry.message)).toEqual([
      'WeChat account quiet/wechat has no callback: add "callback_token" to credentials "wechat-quiet" (or set RELEASE_HALL_CRED_WECHAT_QUIET__CALLBACK_TOKEN)',
    ]);
  });

  it('lets a failing credentials store fail, instead of taking every account for unconfigured', async () => {
    const broken = createCredentialsResolver({
      resolve: () => Promise.reject(new Error('credentials vault unreachable')),
    });
    await expect(resolveWechatCallbacks(hall, broken)).rejects.toThrow(
      'credentials vault unreachable',
    );
  });

  it('refuses an EncodingAESKey of the wrong shape, naming the field and not the value', async () => {
    const bad = createCredentialsResolver({
      env: { ...env, RELEASE_HALL_CRED_WECHAT_FABU__ENCODING_AES_KEY: 'too-short-secret-value' },
    });
    const error = await resolveWechatCallbacks(hall, bad).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toMatch(/wechat-fabu\.encoding_aes_key/);
    expect((error as Error).message).not.toContain('too-short-secret-value');
  });
});

describe('answers of the service', () => {
  it('stores the text of an account without a menu and answers nothing; unknown members get 404', async () => {
    const journal = new MemoryJournal();
    const { app, driver } = await serviceApp(journal);
    const result = await driver('district').sendText('你好', { msgId: '9007199254740995' });
    expect(result.status).toBe(200);
    expect(result.body).toBe('success');
    expect(await journal.listInbox({})).toMatchObject([
      { accountId: 'district/wechat', remoteId: '9007199254740995', text: '你好' },
    ]);
    expect((await app.request('/wechat/quiet')).status).toBe(404);
    expect((await app.request('/wechat/nobody', { method: 'POST', body: '<xml/>' })).status).toBe(
      404,
    );
    expect((await app.request('/v1/crisis')).status).toBe(401);
  });

  it('refuses a callback body over the limit with 413', async () => {
    const { app } = await serviceApp(new MemoryJournal(), { maxBodyBytes: 1024 });
    const response = await app.request('/wechat/fabu?signature=x&timestamp=1&nonce=2', {
      method: 'POST',
      body: 'x'.repeat(4096),
      headers: { 'content-length': '4096' },
    });
    expect(response.status).toBe(413);
  });

  it('answers with the crisis statement: own post, else the lead’s, headline of the newest follow-up', async () => {
    const journal = new MemoryJournal();
    await seed(journal);
    let now = Date.parse('2026-11-26T02:00:00.000Z');
    const { driver } = await serviceApp(journal, {
      crisis: 'c1',
      crisisRefreshMs: 60_000,
      now: () => now,
    });
    expect((await driver('district').sendText('停水了吗')).reply?.content).toBe(
      '网传"自来水停供"不实\nhttps://mp.weixin.qq.com/s/district',
    );
    // 平安测试 only pushed (no link): the lead's post; its WeChat post has no link, its Weibo post has.
    expect((await driver('police').sendText('停水了吗')).reply?.content).toBe(
      '网传"自来水停供"不实\nhttps://weibo.com/1000000001/5100000000000001',
    );
    expect((await driver('police').sendText('110')).reply?.content).toBe('110 报警指南');

    await journal.createCampaign(
      campaign('c2', '2026-11-26T03:00:00.000Z', {
        kind: 'update',
        headline: '关于供水情况的进展通报',
        body: '……',
        link: 'https://www.example.gov.cn/c2.html',
        refersTo: 'c1',
      }),
      [],
    );
    // Read again after crisisRefreshMs: the follow-up's headline with a link of the follow-up
    // itself (it has no post yet: its own link), never the first statement's post.
    expect((await driver('fabu').sendText('?')).reply?.content).toMatch(/^网传"自来水停供"不实/);
    now += 60_001;
    expect((await driver('fabu').sendText('?')).reply?.content).toBe(
      '关于供水情况的进展通报\nhttps://www.example.gov.cn/c2.html',
    );
    // The follow-up withdrawn: the first statement again; both withdrawn: the menus as usual.
    await journal.updateCampaign('c2', { state: 'retracted' });
    now += 60_001;
    expect((await driver('fabu').sendText('?')).reply?.content).toBe(
      '网传"自来水停供"不实\nhttps://weibo.com/1000000001/5100000000000001',
    );
    await journal.updateCampaign('c1', { state: 'retracted' });
    now += 60_001;
    expect((await driver('police').sendText('110')).reply?.content).toBe('110 报警指南');
    expect((await driver('police').sendText('停水了吗')).reply?.content).not.toMatch(/自来水停供/);
  });

  it('falls back to the statement’s own link when the campaign has no post with a link', async () => {
    const journal = new MemoryJournal();
    await journal.createCampaign(
      campaign('c3', '2026-11-26T01:00:00.000Z', {
        headline: '',
        body: '今日 18 时起部分路段交通管制\n详情如下',
        link: 'https://www.example.gov.cn/c3.html',
      }),
      [],
    );
    const { driver } = await serviceApp(journal, { crisis: 'c3' });
    expect((await driver('district').sendText('?')).reply?.content).toBe(
      '今日 18 时起部分路段交通管制\nhttps://www.example.gov.cn/c3.html',
    );
  });

  it('answers when the journal fails and logs the message id, never its text', async () => {
    class FailingJournal extends MemoryJournal {
      override putInboxItems(_items: readonly InboxEntry[]): Promise<number> {
        return Promise.reject(new Error('SQLITE_FULL: database or disk is full'));
      }
    }
    const log: string[] = [];
    const { driver } = await serviceApp(new FailingJournal(), {}, log);
    const result = await driver('police').sendText('1', { msgId: '9007199254740997' });
    expect(result.status).toBe(200);
    expect(result.reply?.content).toBe('110 报警指南');
    expect(log).toEqual([
      'wechat police/wechat: message 9007199254740997 not stored in the journal (answered anyway): Error: SQLITE_FULL: database or disk is full',
    ]);
  });

  it('reads a MASSSENDJOBFINISH spelled with MsgId too, matching the push by its remote id', async () => {
    const journal = new MemoryJournal();
    await seed(journal);
    const { driver } = await serviceApp(journal, { now: () => Date.parse('2026-11-27T00:00:00Z') });
    const xml = [
      '<xml><ToUserName><![CDATA[gh_0000000000002]]></ToUserName>',
      '<FromUserName><![CDATA[oSystem]]></FromUserName><CreateTime>1764201600</CreateTime>',
      '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[MASSSENDJOBFINISH]]></Event>',
      '<MsgId>1000001625</MsgId><Status><![CDATA[send success]]></Status>',
      '<TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount>',
      '<ErrorCount>5</ErrorCount></xml>',
    ].join('');
    const result = await driver('police').post(xml);
    expect(result.body).toBe('success');
    expect(await journal.listReach('c1')).toEqual([
      {
        campaignId: 'c1',
        deliveryId: 'c1:police/wechat:push',
        accountId: 'police/wechat',
        platform: 'wechat',
        postId: 'mass:1000001625',
        sent: 75,
        readAt: '2026-11-27T00:00:00.000Z',
      },
    ]);
  });

  it('refuses a message signed with the wrong token and logs nothing secret', async () => {
    const log: string[] = [];
    const { driver } = await serviceApp(new MemoryJournal(), {}, log);
    const result = await driver('fabu', 'token-police').sendText('1');
    expect(result.status).toBe(403);
    for (const line of log) expect(line).not.toMatch(/token-/);
  });
});
