/**
 * `release-hall check` end to end: the Beijing hall on the hall sandbox, the CLI in a child
 * process pointed at the sandbox through the hall file's base URLs and a credentials file, as an
 * operator's cron job would run it against a gateway. One account's token has expired, one holds
 * the token of another account, one has not posted for 45 days: the check names exactly those
 * three and exits 1; on a healthy hall it exits 0.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { beijingHall, hallPath } from '../helpers/beijing.js';
import { runCli } from '../helpers/cli.js';

const DAY = 86_400_000;

interface HallData {
  platforms?: Record<string, { baseURL?: string; settings?: Record<string, unknown> }>;
  members: {
    id: string;
    accounts: Record<string, { credentials: string; uid?: string }>;
  }[];
}

interface CheckOutput {
  readonly accounts: number;
  readonly notReady: number;
  readonly warnings: number;
  readonly results: readonly {
    readonly account: string;
    readonly status: string;
    readonly findings: readonly { aspect: string; status: string }[];
  }[];
}

let sandbox: HallSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

/** The hall on a running sandbox: a hall file naming its base URLs, and a credentials file. */
async function hallOnSandbox(): Promise<{
  dir: string;
  hall: HallData;
  tokens: Map<string, string>;
  running: HallSandbox;
  write: () => { hallFile: string; credentialsFile: string };
}> {
  const hall = (await beijingHall(['weibo'])) as HallData;
  const tokens = new Map<string, string>();
  const running = await startHallSandbox(hall, {
    tokenFor: (ref) => {
      const token = `2.00sandbox-${ref}-secret`;
      tokens.set(ref, token);
      return token;
    },
  });
  sandbox = running;
  const dir = mkdtempSync(join(tmpdir(), 'release-hall-check-'));
  const write = (): { hallFile: string; credentialsFile: string } => {
    const onSandbox = structuredClone(hall);
    for (const [platform, url] of Object.entries(running.baseURLs)) {
      onSandbox.platforms ??= {};
      onSandbox.platforms[platform] = { ...onSandbox.platforms[platform], baseURL: url };
    }
    const hallFile = join(dir, 'hall.json');
    writeFileSync(hallFile, JSON.stringify(onSandbox));
    const credentialsFile = join(dir, 'credentials.json');
    writeFileSync(
      credentialsFile,
      JSON.stringify(
        Object.fromEntries([...tokens].map(([ref, token]) => [ref, { access_token: token }])),
      ),
      { mode: 0o600 },
    );
    return { hallFile, credentialsFile };
  };
  return { dir, hall, tokens, running, write };
}

function weiboOf(hall: HallData, memberId: string): { credentials: string; uid: string } {
  const account = hall.members.find((member) => member.id === memberId)?.accounts.weibo;
  if (account?.uid === undefined) throw new Error(`no weibo account for ${memberId}`);
  return { credentials: account.credentials, uid: account.uid };
}

describe('release-hall check', () => {
  it('names exactly the expired token, the token of another account and the dormant account, and exits 1', async () => {
    const { hall, tokens, running, write } = await hallOnSandbox();
    const weibo = running.weibo.platform;
    // police: its token has expired.
    const police = weiboOf(hall, 'police');
    weibo.expireToken(tokens.get(police.credentials) ?? '');
    // fire: its credentials hold a token of the traffic police's account.
    const fire = weiboOf(hall, 'fire');
    const traffic = weiboOf(hall, 'traffic-police');
    weibo.addToken(traffic.uid, '2.00token-of-traffic-police-given-to-fire');
    tokens.set(fire.credentials, '2.00token-of-traffic-police-given-to-fire');
    // weather: last posted 45 days ago (the hall's limit is the default, 30 days).
    weibo.setLastPostAt(weiboOf(hall, 'weather').uid, weibo.now() - 45 * DAY);
    const { hallFile, credentialsFile } = write();

    const json = await runCli([
      'check',
      '--hall',
      hallFile,
      '--credentials',
      credentialsFile,
      '--json',
    ]);
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
    const output = JSON.parse(json.stdout) as CheckOutput;
    expect(output.accounts).toBe(72);
    const notReady = output.results.filter((result) => result.status !== 'ok');
    expect(notReady.map((result) => result.account).sort()).toEqual([
      'fire/weibo',
      'police/weibo',
      'weather/weibo',
    ]);
    const problems = (id: string): string[] =>
      (output.results.find((result) => result.account === id)?.findings ?? [])
        .filter((finding) => finding.status === 'problem')
        .map((finding) => finding.aspect);
    expect(problems('police/weibo')).toEqual(['token']);
    expect(problems('fire/weibo')).toEqual(['identity']);
    expect(problems('weather/weibo')).toEqual(['last-post']);
    expect(output.notReady).toBe(3);

    // The table says the same, and no secret is printed either way.
    const text = await runCli(['check', '--hall', hallFile, '--credentials', credentialsFile]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('72 accounts checked: 69 ready (0 with warnings), 3 not ready.');
    expect(text.stdout).toMatch(/^police\s+weibo\s+平安北京\s+✗ expired/m);
    expect(text.stdout).toMatch(/fire\/weibo identity: the token belongs to uid 6763433337/);
    expect(text.stdout).toMatch(/^weather\s+weibo.*✗ 45 d ago\s+NOT READY$/m);
    for (const token of tokens.values()) {
      expect(json.stdout).not.toContain(token);
      expect(text.stdout).not.toContain(token);
      expect(text.stderr).not.toContain(token);
    }
    // Only reads reached the platform.
    expect(weibo.counts().posts).toBe(0);
    const endpoints = new Set(weibo.requests().map((request) => request.endpoint));
    expect([...endpoints].sort()).toEqual(['oauth2/get_token_info', 'users/show']);
  });

  it('exits 0 when every account is ready, and --member narrows the check', async () => {
    const { write } = await hallOnSandbox();
    const { hallFile, credentialsFile } = write();
    const all = await runCli(['check', '--hall', hallFile, '--credentials', credentialsFile]);
    expect(all.stderr).toBe('');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('72 accounts checked: 72 ready (0 with warnings), 0 not ready.');

    const some = await runCli([
      'check',
      '--hall',
      hallFile,
      '--credentials',
      credentialsFile,
      '--member',
      'police,fire',
      '--json',
    ]);
    expect(some.code).toBe(0);
    const output = JSON.parse(some.stdout) as CheckOutput;
    expect(output.results.map((result) => result.account)).toEqual(['police/weibo', 'fire/weibo']);
  });

  it('--sandbox checks the whole hall on the built-in sandbox and exits 0', async () => {
    const result = await runCli(['check', '--hall', hallPath, '--sandbox', '--platform', 'weibo']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('72 accounts checked: 72 ready');
  });

  it('exits 2 on a member the hall does not have', async () => {
    const result = await runCli(['check', '--hall', hallPath, '--member', 'nobody', '--sandbox']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no member "nobody" in the hall');
  });
});
