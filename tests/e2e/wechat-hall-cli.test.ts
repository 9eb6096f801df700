/**
 * `release-hall serve` as a user starts it: a child process over a hall file whose WeChat accounts
 * have callback tokens in the environment; WeChat's side is played by the callback driver over
 * loopback HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCallbackDriver } from 'release-hall/testing';
import { beijingHall } from '../helpers/beijing.js';
import { root, runCli } from '../helpers/cli.js';

const KEY = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
const children: ChildProcess[] = [];

interface Member {
  id: string;
  accounts: { wechat: { appid: string; credentials: string; autoReply?: unknown } };
}

async function hallFile(dir: string): Promise<{ file: string; members: Member[] }> {
  const hall = (await beijingHall(['wechat'])) as { members: Member[] };
  hall.members = hall.members.slice(0, 3);
  hall.members[1]!.accounts.wechat.autoReply = {
    items: [{ keys: ['1'], reply: '110 报警指南：紧急情况请拨打 110' }],
    fallback: '回复 1 查看报警指南',
  };
  const file = join(dir, 'hall.json');
  writeFileSync(file, JSON.stringify(hall));
  return { file, members: hall.members };
}

const envName = (ref: string, field: string): string =>
  `RELEASE_HALL_CRED_${ref.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}__${field.toUpperCase()}`;

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('release-hall serve answers WeChat', () => {
  it('answers a signed safe-mode callback on /wechat/<member> and warns once per account without a token', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-wechat-serve-'));
    const { file, members } = await hallFile(dir);
    const [lead, police, third] = members as [Member, Member, Member];
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        join(root, 'src/cli/main.ts'),
        'serve',
        '--hall',
        file,
        '--journal',
        join(dir, 'journal.db'),
        '--sandbox',
        '--port',
        '0',
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          [envName(lead.accounts.wechat.credentials, 'callback_token')]: 'lead-callback-token',
          [envName(police.accounts.wechat.credentials, 'callback_token')]: 'police-callback-token',
          [envName(police.accounts.wechat.credentials, 'encoding_aes_key')]: KEY,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}: ${stderr}`)));
    });

    const driver = createCallbackDriver({
      token: 'police-callback-token',
      appId: police.accounts.wechat.appid,
      encodingAESKey: KEY,
      target: `${url}/wechat/${police.id}`,
    });
    const answer = await driver.sendText('1');
    expect(answer.status).toBe(200);
    expect(answer.encrypted).toBe(true);
    expect(answer.reply?.content).toBe('110 报警指南：紧急情况请拨打 110');
    expect((await driver.sendText('在吗')).reply?.content).toBe('回复 1 查看报警指南');

    const plain = createCallbackDriver({
      token: 'lead-callback-token',
      appId: lead.accounts.wechat.appid,
      target: `${url}/wechat/${lead.id}`,
    });
    expect((await plain.handshake('4417')).body).toBe('4417');
    const unmounted = await fetch(`${url}/wechat/${third.id}`);
    expect(unmounted.status).toBe(404);

    const warnings = stderr.split('\n').filter((line) => line.includes('has no callback'));
    expect(warnings).toEqual([
      `warning: WeChat account ${third.id}/wechat has no callback: add "callback_token" to credentials "${third.accounts.wechat.credentials}" (or set ${envName(third.accounts.wechat.credentials, 'callback_token')})`,
    ]);
    expect(stdout).toContain('WeChat callbacks of 2 account(s)');
    for (const secret of ['lead-callback-token', 'police-callback-token', KEY]) {
      expect(stdout + stderr).not.toContain(secret);
    }
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }, 60_000);

  it('refuses --crisis with a campaign the journal does not hold', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-wechat-serve-'));
    const { file } = await hallFile(dir);
    const result = await runCli([
      'serve',
      '--hall',
      file,
      '--journal',
      join(dir, 'journal.db'),
      '--sandbox',
      '--port',
      '0',
      '--crisis',
      'no-such-campaign',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/no campaign "no-such-campaign" in the journal/);
  }, 60_000);
});
