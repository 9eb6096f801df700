/**
 * The WeChat families of `GET /metrics`: token fetches (by outcome) and the pushes each account
 * has left. The service runs on loopback over the WeChat sandbox and a SQLite journal; both
 * families are read from the whole process, so the counters are compared before and after.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Publisher, createCredentialsResolver, createPublisher } from 'release-hall';
import { WechatTokenHolder, createWechatAdapter } from 'release-hall/adapters/wechat';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { type RunningService, resolveApiKeys, startService } from 'release-hall/service';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';
import { fastRetry } from '../helpers/fixtures.js';
import { SECRETS, call, settled } from '../helpers/service.js';

/** The value of one sample of the exposition, or undefined when it has none. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels)
    .map(([label, value]) => `${label}="${value}"`)
    .join(',');
  const line = text.split('\n').find((entry) => entry.startsWith(`${name}{${wanted}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const MEMBERS = ['beijing-fabu', 'police', 'traffic-police'];

describe('GET /metrics: WeChat token fetches and pushes left', () => {
  let sandbox: HallSandbox;
  let journal: SqliteJournal;
  let service: RunningService;

  beforeAll(async () => {
    const hall = (await beijingHall(['wechat'])) as { members: { id: string }[] } & Record<
      string,
      unknown
    >;
    hall.members = hall.members.filter((member) => MEMBERS.includes(member.id));
    hall.api = {
      keys: (['viewer', 'operator'] as const).map((role) => ({
        id: `cms-${role}`,
        role,
        credentials: `api-${role}`,
      })),
    };
    sandbox = await startHallSandbox(hall, { wechat: { latency: { fixedMs: 1 } } });
    journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-metrics-wx-')), 'j.db'));
    const keys = await resolveApiKeys(
      hall.api as Parameters<typeof resolveApiKeys>[0],
      createCredentialsResolver({
        env: {
          RELEASE_HALL_CRED_API_VIEWER__KEY: SECRETS.viewer,
          RELEASE_HALL_CRED_API_OPERATOR__KEY: SECRETS.operator,
        },
      }),
    );
    const current = sandbox;
    const publisher = (actor: string): Publisher =>
      createPublisher({
        hall,
        adapters: [
          createWechatAdapter({
            baseURL: current.baseURLs.wechat,
            publishPoll: { intervalsMs: [1, 2, 4, 8] },
            limits: { requestTimeoutMs: 5_000 },
          }),
        ],
        credentials: current.credentials,
        journal,
        actor,
        sandbox: true,
        retry: fastRetry,
      });
    service = await startService({ publisher, keys, port: 0 });
  });

  afterAll(async () => {
    await service?.close();
    await journal?.close();
    await sandbox?.close();
  });

  const scrape = async (): Promise<string> => {
    const response = await call(service, 'GET', '/metrics', { key: SECRETS.viewer });
    expect(response.status).toBe(200);
    return response.text();
  };

  it('counts one token fetch per appid and shows the lead account pushes left after its push', async () => {
    const before = await scrape();
    const fetched = (text: string): number =>
      sample(text, 'release_hall_token_fetches_total', {
        platform: 'wechat',
        outcome: 'fetched',
      }) ?? 0;
    // Nothing has pushed in this process yet: the gauge has no sample for the lead.
    expect(before).toContain('# TYPE release_hall_pushes_left gauge\n');
    expect(before).not.toContain('account="beijing-fabu/wechat"');

    const created = await call(service, 'POST', '/v1/campaigns', {
      key: SECRETS.operator,
      headers: { 'idempotency-key': 'wechat-metrics-1' },
      body: {
        statement: await beijingRebuttal(),
        mode: 'original',
        push: { policy: 'push-else-publish', members: ['beijing-fabu'], spendLast: true },
      },
    });
    expect(created.status).toBe(202);
    const { campaignId } = (await created.json()) as { campaignId: string };
    const status = (await settled(service, campaignId)) as { counts: { succeeded: number } };
    expect(status.counts.succeeded).toBe(3);
    expect(sandbox.wechat!.platform.massSends('wxc15183dad0f5fea1')).toHaveLength(1);

    const after = await scrape();
    expect(fetched(after) - fetched(before)).toBe(3);
    // The lead is a subscription account: one push a day, now spent.
    expect(
      sample(after, 'release_hall_pushes_left', {
        platform: 'wechat',
        account: 'beijing-fabu/wechat',
        period: 'day',
      }),
    ).toBe(0);
    // Accounts that only published have no reading.
    expect(after).not.toContain('account="police/wechat"');
    // No secret in the text.
    for (const secret of Object.values(SECRETS)) expect(after).not.toContain(secret);
    expect(after).not.toContain('access_token');
  });

  it('counts a token fetch WeChat refuses as failed', async () => {
    const failed = async (): Promise<number> =>
      sample(await scrape(), 'release_hall_token_fetches_total', {
        platform: 'wechat',
        outcome: 'failed',
      }) ?? 0;
    const before = await failed();
    const holder = new WechatTokenHolder({
      appid: 'wx0000000000000000',
      fetch: () =>
        Promise.resolve(
          new Response(JSON.stringify({ errcode: 40125, errmsg: 'invalid appsecret' }), {
            status: 200,
            headers: { 'content-type': 'application/json' },
          }),
        ),
    });
    await expect(holder.getToken({ secret: 'wrong-secret-0123456789' })).rejects.toMatchObject({
      code: expect.stringMatching(/^AUTH_/) as unknown,
    });
    expect((await failed()) - before).toBe(1);
  });
});
