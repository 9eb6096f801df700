/**
 * The listening demo (`npm run demo:listen`) run as a user runs it, in a child process over the
 * loopback sandboxes: every step's heading, the counts it prints against what it seeded, each
 * reply sent once, and the pages and CSV it writes into `--out`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, root } from '../helpers/cli.js';

const MEMBERS = [
  'beijing-fabu',
  'transport',
  'subway',
  'traffic-police',
  'police',
  'weather',
  'chaoyang',
];

function runDemo(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        join(root, 'examples/beijing-hall/listen.ts'),
        ...args,
      ],
      { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run demo:listen', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'rh-demo-listen-')), 'out');
  let run: CliResult;
  let lines: string[];

  beforeAll(async () => {
    run = await runDemo(['--out', out]);
    lines = run.stdout.split('\n');
  }, 60_000);

  it('exits 0 and prints every step', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const headings = lines.filter((line) => line.startsWith('== '));
    expect(headings).toEqual([
      '== 1. Publish the rebuttal to 7 members (relay mode)',
      '== 2. Citizens react on Weibo, Tencent Weibo and WeChat',
      '== 3. The inbox: sync, list, assign, reply',
      '== 4. Crisis mode: WeChat followers are pointed to the statement',
      '== 5. Reach and the scorecard',
    ]);
    expect(run.stdout).toMatch(
      /campaign rumor-subway-2026-11-26\S*: 21 of 21 deliveries succeeded/,
    );
  });

  it('syncs exactly the comments and mentions it seeded, per account', () => {
    expect(run.stdout).toContain(
      'seeded: weibo 3 comments, 1 mention; tencent 2 comments, 1 mention',
    );
    const synced = lines
      .map((line) => /^synced (\S+): read, added (\d+)$/.exec(line))
      .filter((match) => match !== null)
      .map((match) => [match[1], Number(match[2])]);
    expect(synced).toEqual([
      ['beijing-fabu/weibo', 2],
      ['beijing-fabu/tencent', 3],
      ['subway/weibo', 2],
    ]);
    expect(run.stdout).toContain('synced: added 7 items in all');
    // The two WeChat follower messages are in the inbox too, stored by the callback.
    expect(run.stdout).toContain('unanswered: 9 (7 synced, 2 WeChat messages the callback stored)');
    expect(lines.filter((line) => /^ {2}\S+\/wechat +message /.test(line))).toHaveLength(2);
  });

  it('answers the WeChat menu, routes the question and replies once on each platform', () => {
    expect(run.stdout).toContain(
      'wechat beijing-fabu: a follower sends "1", the menu answers: 地铁运营信息',
    );
    expect(run.stdout).toMatch(/assigned item \d+ to subway; a reply comes from subway\/weibo/);
    expect(run.stdout).toContain("subway's queue: 1 item");
    expect(lines.filter((line) => line.startsWith('reply on '))).toEqual([
      'reply on subway/weibo: sent',
      'reply on beijing-fabu/tencent: sent',
      'reply on subway/wechat: sent',
    ]);
    expect(run.stdout).toContain('the Weibo reply again: already-sent');
    expect(run.stdout).toContain(
      'on the platforms: weibo replies 1, wechat customer-service messages 1',
    );
  });

  it('in crisis mode answers an unknown text with the headline and a link', () => {
    expect(run.stdout).toContain('PUT /v1/crisis: 200 crisis');
    const at = lines.indexOf('wechat beijing-fabu: an unknown text is answered:');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe('网传"北京地铁今晚全线停运"不实');
    expect(lines[at + 2]).toMatch(/^https:\/\/mp\.weixin\.qq\.com\/s\/\S+$/);
  });

  it('writes the reach page, the scorecard page and one CSV row per member', () => {
    expect(run.stdout).toMatch(/^total +14 posts +12 +6 +128$/m);
    const files = ['reach.html', 'scorecard.html', 'scorecard.csv'].map((name) => join(out, name));
    for (const file of files) {
      expect(run.stdout).toContain(`written: ${file}`);
      expect(existsSync(file)).toBe(true);
    }
    for (const page of files.slice(0, 2)) expect(readFileSync(page, 'utf8')).toContain('<svg');
    const [header, ...rows] = readFileSync(files[2]!, 'utf8').split('\r\n').filter(Boolean);
    expect(header?.startsWith('member_id,name,')).toBe(true);
    expect(rows.map((row) => row.split(',')[0]).sort()).toEqual([...MEMBERS].sort());
  });

  it('prints no secret', () => {
    // The sandbox tokens, the callback tokens and the API key are long hex strings made per run.
    expect(run.stdout).not.toMatch(/\b(sandbox-)?[0-9a-f]{24,}\b/);
    expect(run.stdout).not.toMatch(/access_token|Bearer|callback_token|encoding_aes_key/);
  });

  it('refuses --out without a folder, naming the flag', async () => {
    const refused = await runDemo(['--out']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--out: expected a folder');
    expect(refused.stdout).toBe('');
  });
});
