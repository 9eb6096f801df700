/**
 * The listening demo: the press office's day after the Beijing rebuttal, over the built-in
 * sandboxes on loopback (real HTTP). Seven members publish the rebuttal; citizens comment and @
 * the accounts on Weibo and Tencent Weibo and write to two WeChat accounts; the inbox is synced,
 * a question is routed to the bureau that knows and answered once; crisis mode points WeChat
 * followers to the statement; reach and the member scorecard are written as pages and CSV.
 *
 *   npm run demo:listen [-- --out DIR]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CredentialsSource,
  assignItem,
  collectReach,
  computeScorecard,
  createCredentialsResolver,
  createPublisher,
  inboxItemAges,
  loadStatementFile,
  readDataFile,
  readScorecardInput,
  reachTable,
  renderMetricsPage,
  renderScorecardPage,
  replyToItem,
  resolveHall,
  scorecardCsv,
  syncInbox,
} from 'release-hall';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { startHallSandbox } from 'release-hall/sandbox';
import { resolveWechatCallbacks, startService } from 'release-hall/service';
import { createCallbackDriver } from 'release-hall/testing';
// Not exported by 'release-hall' yet: the report pages and the scorecard.

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));
const heading = (text: string): void => {
  console.log(`\n== ${text}`);
};

const outAt = process.argv.indexOf('--out');
const outArg = outAt === -1 ? undefined : process.argv[outAt + 1];
if (outAt !== -1 && (outArg === undefined || outArg.startsWith('--'))) {
  console.error('--out: expected a folder, e.g. --out ./listen-out');
  process.exit(2);
}
const out = outArg === undefined ? mkdtempSync(join(tmpdir(), 'rh-listen-')) : resolve(outArg);
mkdirSync(out, { recursive: true });

// A part of the hall, so the demo runs in seconds: the lead, the bureaus a subway rumor concerns
// and one district; every member has a Weibo, a Tencent Weibo and a WeChat account.
const MEMBERS = 'beijing-fabu transport subway traffic-police police weather chaoyang'.split(' ');
type WechatAccount = { appid: string; credentials: string; autoReply?: unknown };
type MemberData = { id: string; accounts: { wechat: WechatAccount } };
const hallData = (await readDataFile(here('hall.yaml'), 'hall')) as { members: MemberData[] };
hallData.members = hallData.members.filter((member) => MEMBERS.includes(member.id));
const wechatOf = (id: string): WechatAccount =>
  hallData.members.find((member) => member.id === id)!.accounts.wechat;
// The number menus of two WeChat accounts (accounts.wechat.autoReply in the hall file).
wechatOf('beijing-fabu').autoReply = {
  items: [{ keys: ['1'], reply: '地铁运营信息：请关注"北京地铁"，或拨打 12345 市民服务热线。' }],
  fallback: '回复 1 查询地铁运营信息。',
};
wechatOf('subway').autoReply = {
  items: [{ keys: ['1'], reply: '首末班车时间请见各站公告，或拨打 12345 咨询。' }],
  fallback: '回复 1 查询首末班车时间；您的留言已收到，我们会尽快答复。',
};
const statement = await loadStatementFile(here('rebuttal.yaml'));

const latency = { fixedMs: 3, jitterMs: 4, seed: 7 };
const sandbox = await startHallSandbox(hallData, {
  weibo: { latency },
  tencent: { latency },
  wechat: { latency, publishPollsBeforeDone: 1 },
});
const journalDir = mkdtempSync(join(tmpdir(), 'rh-listen-journal-'));
const journal = new SqliteJournal(join(journalDir, 'journal.db'));
let service: Awaited<ReturnType<typeof startService>> | undefined;
try {
  // The callback token and EncodingAESKey of each WeChat account, made for this run and kept
  // beside its AppSecret (credentials fields callback_token, encoding_aes_key). Never printed.
  const callbackSecrets = new Map(
    hallData.members.map((member) => [
      member.accounts.wechat.credentials,
      {
        callback_token: randomBytes(12).toString('hex'),
        encoding_aes_key: randomBytes(32).toString('base64').slice(0, 43),
      },
    ]),
  );
  const source: CredentialsSource = async (request) => {
    const found = await sandbox.credentials(request);
    return found === undefined ? undefined : { ...found, ...callbackSecrets.get(request.ref) };
  };
  const credentials = createCredentialsResolver({ resolve: source, env: {} });
  const adapters = [
    createWeiboAdapter({ baseURL: sandbox.baseURLs.weibo, mode: 'share', rip: '203.0.113.10' }),
    createTencentAdapter({
      baseURL: sandbox.baseURLs.tencent,
      appKey: '801000000',
      clientIp: '203.0.113.10',
    }),
    createWechatAdapter({
      baseURL: sandbox.baseURLs.wechat,
      publishPoll: { intervalsMs: [20, 40, 80, 160, 320] },
    }),
  ];
  const publisher = (actor: string) =>
    createPublisher({ hall: hallData, adapters, credentials, journal, actor, sandbox: true });
  const hall = resolveHall(hallData, adapters);
  const common = { hall, adapters, credentials, journal };

  heading(`1. Publish the rebuttal to ${MEMBERS.length} members (relay mode)`);
  const since = new Date(Date.now() - 86_400_000);
  const report = await publisher('duty-officer').publish(statement, { mode: 'relay' });
  const { campaignId } = report;
  console.log(
    `campaign ${campaignId}: ${report.counts.succeeded} of ${report.counts.total} deliveries succeeded`,
  );
  const postOf = (accountId: string): string =>
    report.deliveries.find((line) => line.accountId === accountId)!.remoteId!;

  heading('2. Citizens react on Weibo, Tencent Weibo and WeChat');
  const weibo = sandbox.weibo.platform;
  const tencent = sandbox.tencent!.platform;
  const lead = { weibo: postOf('beijing-fabu/weibo'), tencent: postOf('beijing-fabu/tencent') };
  const weiboComments = [
    weibo.addComment({
      statusId: lead.weibo,
      authorName: '朝阳市民小王',
      text: '10号线今晚末班车是几点？',
    }),
    weibo.addComment({ statusId: lead.weibo, authorName: '海淀网友', text: '辟谣及时，点赞！' }),
    weibo.addComment({
      statusId: postOf('subway/weibo'),
      authorName: '通勤族老李',
      text: '收到，谢谢。',
    }),
  ];
  const weiboMentions = [
    weibo.addMention({ authorName: '西城居民', text: '@北京地铁 今晚地铁真的正常吗？' }),
  ];
  weibo.setAttitudes(lead.weibo, 128);
  const tencentComments = [
    tencent.addComment({
      postId: lead.tencent,
      author: 'shimin_zhang',
      nick: '市民小张',
      text: '请问机场线今晚也正常吗？',
    }),
    tencent.addComment({ postId: lead.tencent, author: 'wangyou_li', text: '已转发给家人。' }),
  ];
  const tencentMentions = [
    tencent.addMention({ author: 'shimin_zhao', text: '@beijingfabu 谢谢澄清' }),
  ];
  const [question, tencentQuestion] = [weiboComments[0]!, tencentComments[0]!];
  const plural = (count: number, word: string): string =>
    `${count} ${word}${count === 1 ? '' : 's'}`;
  console.log(
    `seeded: weibo ${plural(weiboComments.length, 'comment')}, ${plural(weiboMentions.length, 'mention')}; ` +
      `tencent ${plural(tencentComments.length, 'comment')}, ${plural(tencentMentions.length, 'mention')}`,
  );

  // The service answers the WeChat callbacks; the duty officer's API key switches crisis mode.
  const callbacks = await resolveWechatCallbacks(hall, credentials);
  const operator = {
    id: 'duty',
    role: 'operator',
    secret: randomBytes(24).toString('hex'),
  } as const;
  service = await startService({
    publisher,
    keys: [operator],
    wechat: { accounts: callbacks.accounts, adapters, credentials, crisisRefreshMs: 0 },
    log: (line) => console.log(`service: ${line}`),
  });
  const running = service;
  const driver = (memberId: string, openId: string) => {
    const callback = callbackSecrets.get(wechatOf(memberId).credentials)!;
    return createCallbackDriver({
      token: callback.callback_token,
      encodingAESKey: callback.encoding_aes_key,
      appId: wechatOf(memberId).appid,
      openId,
      target: `${running.url}/wechat/${memberId}`,
    });
  };
  const menu = await driver('beijing-fabu', 'oFollowerMenu0000000000000001').sendText('1');
  console.log(
    `wechat beijing-fabu: a follower sends "1", the menu answers: ${menu.reply?.content}`,
  );
  const asker = 'oFollowerAsks0000000000000002';
  const asked = await driver('subway', asker).sendText('请问今晚10号线几点停运？');
  // WeChat knows the follower wrote: the 48-hour window for customer-service messages opens.
  sandbox.wechat!.platform.receiveMessage({ appid: wechatOf('subway').appid, openid: asker });
  console.log(
    `wechat subway: a follower asks a question, the menu answers: ${asked.reply?.content}`,
  );

  heading('3. The inbox: sync, list, assign, reply');
  const synced = await syncInbox({ ...common, campaignId });
  for (const line of synced.accounts.filter((entry) => entry.added > 0)) {
    console.log(`synced ${line.accountId}: ${line.status}, added ${line.added}`);
  }
  console.log(`synced: added ${synced.added} items in all`);
  const unanswered = await journal.listInbox({ unanswered: true });
  console.log(
    `unanswered: ${unanswered.length} (${synced.added} synced, ${unanswered.length - synced.added} WeChat messages the callback stored)`,
  );
  for (const { item, ageMs, overdue } of inboxItemAges(unanswered, new Date())) {
    console.log(
      `  ${item.accountId.padEnd(22)} ${item.kind.padEnd(8)} ${item.remoteId.padEnd(20)} ${Math.round(ageMs / 1000)}s${overdue ? ' OVERDUE' : ''}  ${item.text}`,
    );
  }
  const assigned = await assignItem({ hall, journal, itemId: question.id, to: 'subway' });
  console.log(`assigned item ${question.id} to subway; a reply comes from ${assigned.answersFrom}`);
  const queue = await journal.listInbox({ assignedTo: 'subway', unanswered: true });
  console.log(`subway's queue: ${plural(queue.length, 'item')}`);
  const answer = () =>
    replyToItem({
      ...common,
      itemId: question.id,
      text: '您好，10号线今晚按既定时刻表运营至末班车。',
    });
  const replies = [
    await answer(),
    await replyToItem({
      ...common,
      itemId: tencentQuestion.id,
      text: '您好，机场线今晚运营正常。',
    }),
    await replyToItem({
      ...common,
      itemId: (await journal.listInbox({ memberId: 'subway' })).find(
        (item) => item.kind === 'message',
      )!.remoteId,
      text: '您好，10号线今晚正常运营，末班车时间不变。',
    }),
  ];
  for (const result of replies) console.log(`reply on ${result.reply.accountId}: ${result.status}`);
  console.log(`the Weibo reply again: ${(await answer()).status}`);
  const sentOn = {
    weibo: weibo.comments().filter((comment) => comment.replyToId === question.id).length,
    wechat: sandbox.wechat!.platform.customMessages(wechatOf('subway').appid).length,
  };
  console.log(
    `on the platforms: weibo replies ${sentOn.weibo}, wechat customer-service messages ${sentOn.wechat}`,
  );

  heading('4. Crisis mode: WeChat followers are pointed to the statement');
  const switched = await fetch(`${running.url}/v1/crisis`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${operator.secret}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ campaignId }),
  });
  console.log(
    `PUT /v1/crisis: ${switched.status} ${((await switched.json()) as { mode: string }).mode}`,
  );
  const crisis = await driver('beijing-fabu', 'oFollowerCrisis00000000000003').sendText(
    '地铁到底停不停？',
  );
  console.log(`wechat beijing-fabu: an unknown text is answered:\n${crisis.reply?.content}`);

  heading('5. Reach and the scorecard');
  const collection = await collectReach({ ...common, campaignId });
  process.stdout.write(reachTable(collection));
  console.log(
    '(WeChat: statistics of pushed articles only, from 08:00 the next day; these were published)',
  );
  const names = new Map(hall.hall.members.map((member) => [member.id, member.name]));
  const reachPage = join(out, 'reach.html');
  writeFileSync(
    reachPage,
    await renderMetricsPage({
      campaignId,
      hallName: hall.hall.name,
      readings: await journal.listReach(campaignId),
      accountNames: new Map(
        hall.accounts.map((account) => [
          account.id,
          `${names.get(account.memberId)} (${account.platform})`,
        ]),
      ),
      accounts: collection.accounts,
    }),
  );
  const input = await readScorecardInput({ ...common, since, includeRehearsals: true });
  const scorecard = computeScorecard(input);
  const scorecardPage = join(out, 'scorecard.html');
  writeFileSync(
    scorecardPage,
    await renderScorecardPage(scorecard, { hallName: hall.hall.name, reach: input.reach }),
  );
  const csv = join(out, 'scorecard.csv');
  writeFileSync(csv, scorecardCsv(scorecard));
  console.log(`scorecard: ${scorecard.members.length} members`);
  for (const path of [reachPage, scorecardPage, csv]) console.log(`written: ${path}`);

  const ok =
    report.counts.succeeded === report.counts.total &&
    replies.every((result) => result.status === 'sent') &&
    sentOn.weibo === 1 &&
    sentOn.wechat === 1 &&
    switched.ok;
  process.exitCode = ok ? 0 : 1;
} finally {
  await service?.close();
  await journal.close();
  await sandbox.close();
  rmSync(journalDir, { recursive: true, force: true });
}
