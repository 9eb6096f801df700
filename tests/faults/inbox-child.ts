/**
 * An inbox run in its own process, for the inbox kill tests. It syncs the hall's inboxes, or
 * replies to inbox items, against a platform server named in the environment, with a SQLite
 * journal, and says "ready" on stdout once the journal is open. The parent kills it with SIGKILL.
 *
 * Environment: RH_BASE_URL, RH_JOURNAL, RH_HALL (JSON), RH_TOKENS (JSON ref → secret),
 * RH_PLATFORM (weibo | tencent | wechat; default weibo), RH_ACTION (sync | reply), RH_MAX_ITEMS
 * (sync: items per page), RH_REPLIES (reply: JSON list of { itemId, text }, sent one after
 * another).
 */
import { type Adapter, replyToItem, resolveHall, syncInbox } from 'release-hall';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`missing ${name}`);
  return value;
};

const journal = new SqliteJournal(env('RH_JOURNAL'));
const tokens = JSON.parse(env('RH_TOKENS')) as Record<string, string>;
const platform = process.env.RH_PLATFORM ?? 'weibo';
const baseURL = env('RH_BASE_URL');
const limits = { requestTimeoutMs: 10_000 };

function adapterOf(name: string): Adapter {
  switch (name) {
    case 'weibo':
      return createWeiboAdapter({ baseURL, rip: '203.0.113.10', limits });
    case 'tencent':
      return createTencentAdapter({
        baseURL,
        appKey: '801000000',
        clientIp: '203.0.113.10',
        limits,
      });
    case 'wechat':
      return createWechatAdapter({ baseURL, limits });
    default:
      throw new Error(`RH_PLATFORM: expected weibo, tencent or wechat, got "${name}"`);
  }
}

const adapter = adapterOf(platform);
// WeChat accounts are reached with the app secret, the microblogs with an access token.
const field = platform === 'wechat' ? 'secret' : 'access_token';
const hall = resolveHall(JSON.parse(env('RH_HALL')) as never, [adapter]);
const credentials = ({ ref }: { ref: string }): Record<string, string> | undefined => {
  const token = tokens[ref];
  return token === undefined ? undefined : { [field]: token };
};
process.stdout.write('ready\n');

if (env('RH_ACTION') === 'sync') {
  const summary = await syncInbox({
    hall,
    adapters: [adapter],
    credentials,
    journal,
    maxItems: Number(env('RH_MAX_ITEMS')),
    requestTimeoutMs: 10_000,
  });
  process.stdout.write(`synced ${summary.added}\n`);
} else {
  const replies = JSON.parse(env('RH_REPLIES')) as { itemId: string; text: string }[];
  for (const { itemId, text } of replies) {
    const result = await replyToItem({
      hall,
      adapters: [adapter],
      credentials,
      journal,
      itemId,
      text,
      requestTimeoutMs: 10_000,
    });
    process.stdout.write(`${itemId} ${result.status}\n`);
  }
}
await journal.close();
