import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import type { CampaignReport } from 'release-hall';
import { countTencentText } from 'release-hall/adapters/tencent';
import {
  type TencentSandbox,
  type WeiboSandbox,
  startTencentSandbox,
  startWeiboSandbox,
} from 'release-hall/sandbox';
import {
  beijingCredentialsFile,
  hallPath,
  onlyPlatforms,
  statementPath,
} from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';

let server: WeiboSandbox | undefined;
let tencentServer: TencentSandbox | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await tencentServer?.close();
  tencentServer = undefined;
});

describe('release-hall CLI', () => {
  it('validate: a good hall exits 0 and says what it holds', async () => {
    const result = await runCli(['validate', hallPath]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'valid. 北京微博发布厅 (beijing), lead beijing-fabu, 72 members; accounts: weibo 72, wechat 72, tencent 72; groups: lead 1, bureaus 55, districts 16',
    );
  });

  it('validate: a bad hall exits 2 naming the path and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    const hall = parse(readFileSync(hallPath, 'utf8')) as {
      members: { accounts: { weibo: { uid: string } } }[];
    };
    hall.members[12]!.accounts.weibo.uid = 'abc';
    const file = join(dir, 'hall.yaml');
    writeFileSync(file, stringify(hall));
    const result = await runCli(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('members[12].accounts.weibo.uid: expected digits, got "abc"');
  });

  it('publish --sandbox --json: every account posts, the report is on stdout, exit 0', async () => {
    const result = await runCli([
      'publish',
      statementPath,
      '--hall',
      hallPath,
      '--sandbox',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as CampaignReport;
    expect(report.counts).toMatchObject({ total: 216, succeeded: 216 });
    expect(result.stderr).toContain('planned 216 deliveries');
  });

  it('publish --dry-run shows every rendition and sends nothing', async () => {
    const credentials = await beijingCredentialsFile(mkdtempSync(join(tmpdir(), 'rh-cli-')));
    const result = await runCli([
      'publish',
      statementPath,
      '--hall',
      hallPath,
      '--dry-run',
      '--group',
      'districts',
      '--credentials',
      credentials,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/50 deliveries/);
    expect(result.stdout).toContain('haidian/weibo');
    expect(result.stdout).not.toContain('police/weibo');
  });

  it('publish to a server named by the hall file, with secrets from a credentials file: once per account, no secret printed', async () => {
    server = await startWeiboSandbox({ safeDomain: 'www.beijing.gov.cn' });
    const hall = onlyPlatforms(parse(readFileSync(hallPath, 'utf8')), ['weibo']) as {
      platforms: { weibo: { baseURL?: string } };
      members: { accounts: { weibo: { uid: string; handle: string; credentials: string } } }[];
    };
    hall.platforms.weibo.baseURL = server.url;
    const credentials: Record<string, { access_token: string }> = {};
    for (const member of hall.members) {
      const account = member.accounts.weibo;
      const token = `CLI-SECRET-${account.uid}-tok`;
      server.platform.addAccount({
        uid: account.uid,
        screenName: account.handle,
        accessToken: token,
      });
      credentials[account.credentials] = { access_token: token };
    }
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    writeFileSync(join(dir, 'hall.yaml'), stringify(hall));
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify(credentials));
    server.platform.injectFault({
      kind: 'token-expired',
      uid: hall.members[5]!.accounts.weibo.uid,
      times: 4,
    });

    const result = await runCli([
      'publish',
      statementPath,
      '--hall',
      join(dir, 'hall.yaml'),
      '--credentials',
      join(dir, 'credentials.json'),
      '--journal',
      join(dir, 'journal.db'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('71 of 72 deliveries succeeded, 1 failed');
    expect(result.stdout).toMatch(/FAIL\s+\S+\s+weibo\s+relay AUTH_EXPIRED/);
    const perAccount = new Map<string, number>();
    for (const post of server.platform.allPosts())
      perAccount.set(post.uid, (perAccount.get(post.uid) ?? 0) + 1);
    expect(perAccount.size).toBe(71);
    expect([...perAccount.values()].every((count) => count === 1)).toBe(true);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/CLI-SECRET-/);

    // Running the same statement again at once posts nothing twice: the platform refuses the same
    // text (20019), and the post found on the account is the first campaign's, so the second
    // neither claims it nor counts it as its own: it reports the duplicate and whose post it is.
    const again = await runCli([
      'publish',
      statementPath,
      '--hall',
      join(dir, 'hall.yaml'),
      '--credentials',
      join(dir, 'credentials.json'),
      '--journal',
      join(dir, 'journal.db'),
      '--json',
      '--member',
      'beijing-fabu',
      '--mode',
      'original',
    ]);
    const report = JSON.parse(again.stdout) as CampaignReport;
    expect(again.code).toBe(1);
    const firstCampaign = report.deliveries[0]?.duplicateOf;
    expect(firstCampaign).toMatch(/^rumor-subway-2026-11-26-/);
    expect(firstCampaign).not.toBe(report.campaignId);
    expect(report.deliveries[0]).toMatchObject({
      status: 'failed',
      errorCode: 'DUPLICATE_CONTENT',
      attempts: 1,
    });
    expect(report.deliveries[0]?.remoteId).toBeUndefined();
    expect(server.platform.livePostsOf(hall.members[0]!.accounts.weibo.uid)).toHaveLength(1);
  });

  it('publish to an independent Tencent Weibo server: one post per account, within 420 bytes, every OAuth parameter', async () => {
    tencentServer = await startTencentSandbox();
    const hall = onlyPlatforms(parse(readFileSync(hallPath, 'utf8')), ['tencent']) as {
      platforms: { tencent: { baseURL?: string; settings: { appKey: string } } };
      members: { accounts: { tencent: { openid: string; handle: string; credentials: string } } }[];
    };
    hall.platforms.tencent.baseURL = tencentServer.url;
    const credentials: Record<string, { access_token: string }> = {};
    for (const member of hall.members) {
      const account = member.accounts.tencent;
      const token = `TQQ-SECRET-${account.openid}`;
      tencentServer.platform.addAccount({
        openid: account.openid,
        name: account.handle,
        accessToken: token,
        appKey: hall.platforms.tencent.settings.appKey,
      });
      credentials[account.credentials] = { access_token: token };
    }
    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    writeFileSync(join(dir, 'hall.yaml'), stringify(hall));
    writeFileSync(join(dir, 'credentials.json'), JSON.stringify(credentials));
    const result = await runCli([
      'publish',
      statementPath,
      '--hall',
      join(dir, 'hall.yaml'),
      '--credentials',
      join(dir, 'credentials.json'),
      '--journal',
      join(dir, 'journal.db'),
      '--mode',
      'original',
    ]);
    expect(result.stderr).not.toMatch(/TQQ-SECRET-/);
    expect(result.code).toBe(0);
    const tweets = tencentServer.platform.allPosts();
    expect(tweets).toHaveLength(72);
    expect(new Set(tweets.map((tweet) => tweet.openid)).size).toBe(72);
    // 420 bytes by Tencent's rule: UTF-8 bytes with each link counted at its shortened size.
    for (const tweet of tweets) expect(countTencentText(tweet.sentText)).toBeLessThanOrEqual(420);
    const writes = tencentServer.platform.requests().filter((request) => request.method === 'POST');
    expect(writes).toHaveLength(72);
    for (const request of writes) {
      // access_token and oauth_consumer_key are checked by the server (a call without them is
      // refused) and kept out of its request log.
      expect(request.ret).toBe(0);
      for (const name of ['openid', 'clientip', 'oauth_version', 'scope', 'format']) {
        expect(request.params[name], `${name} on ${request.path}`).toBeDefined();
      }
      expect(request.params.oauth_version).toBe('2.a');
    }
  });

  it('publish --dry-run and preview without credentials list what publish would refuse, exit 2', async () => {
    for (const args of [
      ['publish', statementPath, '--hall', hallPath, '--dry-run'],
      ['preview', statementPath, '--hall', hallPath],
    ]) {
      const result = await runCli(args, { RELEASE_HALL_CREDENTIALS: '' });
      expect(result.code).toBe(2);
      expect(result.stdout).toContain('haidian/weibo');
      expect(result.stderr).toContain(
        'publish would refuse this campaign, before sending anything:',
      );
      expect(result.stderr).toContain(
        '- credentials: 216 accounts have no credentials, the first: [weibo] no credentials for account "beijing-fabu/weibo"',
      );
    }
  });

  it('preview shows every account of the Beijing hall and flags a planted inconsistency, exit 1', async () => {
    const credentials = await beijingCredentialsFile(mkdtempSync(join(tmpdir(), 'rh-cli-')));
    const clean = await runCli([
      'preview',
      statementPath,
      '--hall',
      hallPath,
      '--credentials',
      credentials,
    ]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('216 accounts (weibo 72, wechat 72, tencent 72)');
    expect(clean.stdout).toContain('lint: 0 errors');

    const dir = mkdtempSync(join(tmpdir(), 'rh-cli-'));
    const planted = readFileSync(hallPath, 'utf8').replace(
      '    name: 北京市海淀区人民政府',
      '    name: 北京市海淀区人民政府\n    signOff: 如需了解运营信息，可拨打12346市民服务热线咨询。',
    );
    writeFileSync(join(dir, 'hall.yaml'), planted);
    const flagged = await runCli([
      'preview',
      statementPath,
      '--hall',
      join(dir, 'hall.yaml'),
      '--credentials',
      credentials,
    ]);
    expect(flagged.code).toBe(1);
    expect(flagged.stdout).toMatch(/error number-mismatch \(renditions\[haidian\/wechat\]\.html\)/);
    expect(flagged.stdout).toContain('12346');
  });
});
