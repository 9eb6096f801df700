/**
 * `release-hall new`: a statement from an emergency template, written where asked, accepted by
 * `release-hall lint`; refusals with exit 2 that name what is missing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-cli-new-'));

const earthquake = [
  'new',
  'earthquake',
  '--set',
  'magnitude=4.5',
  '--set',
  'epicentre=北京市平谷区',
  '--set',
  'depth=10',
  '--set',
  'time=2026-11-26 09:30',
  '--set',
  'area=北京城区及周边地区',
  '--set',
  'advice=请广大市民保持冷静，注意防范余震。',
  '--set',
  'link=https://www.beijing.gov.cn/ywdt/zwzt/2026/t20261126_0000001.html',
  '--set',
  'issuedAt=2026-11-26T09:45:00+08:00',
  '--issuer',
  '北京市地震局',
];

describe('release-hall new', () => {
  it('writes a statement that release-hall lint accepts; refuses to overwrite it unless --force', async () => {
    const file = join(dir, 'quake.yaml');
    const written = await runCli([...earthquake, '-o', file]);
    expect(written.stderr).toBe('');
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(
      `${file}: earthquake statement "北京市平谷区发生4.5级地震" written`,
    );
    const statement = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(statement).toMatchObject({
      kind: 'announcement',
      headline: '北京市平谷区发生4.5级地震',
      body: '据中国地震台网正式测定，11月26日9时30分在北京市平谷区发生4.5级地震，震源深度10千米。北京城区及周边地区有震感。',
      issuer: '北京市地震局',
      issuedAt: '2026-11-26T09:45:00+08:00',
      advice: '请广大市民保持冷静，注意防范余震。',
    });

    const lint = await runCli(['lint', file]);
    expect(lint.code).toBe(0);
    expect(lint.stdout).toContain('0 errors');

    writeFileSync(file, 'kept\n');
    const again = await runCli([...earthquake, '-o', file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      `${file}: the file exists: choose another name, or add --force to replace it`,
    );
    expect(readFileSync(file, 'utf8')).toBe('kept\n');

    const forced = await runCli([...earthquake, '-o', file, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('北京市平谷区发生4.5级地震');
  }, 60_000);

  it('without the required fields exits 2 naming each with its description and an example', async () => {
    const file = join(dir, 'missing.yaml');
    const result = await runCli([
      'new',
      'earthquake',
      '--set',
      'magnitude=4.5',
      '--set',
      'depth=十千米',
      '--set',
      'colour=red',
      '-o',
      file,
    ]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    for (const line of [
      '  epicentre: missing: 震中位置（行政区划及乡镇）; e.g. epicentre=北京市平谷区',
      '  time: missing: 发震时刻（ISO 8601；不写时区即为北京时间）; e.g. time=2026-11-26T09:30:00+08:00',
      '  area: missing: 有震感的地区; e.g. area=北京城区及周边地区',
      '  advice: missing: 防范提示; e.g. advice=',
      '  issuer: missing: 发布机构全称; e.g. issuer=北京市地震局',
      '  link: missing: 全文链接',
      '  depth: expected a number in digits',
      '  colour: not a field of the earthquake template',
    ]) {
      expect(result.stderr).toContain(line);
    }
    expect(result.stderr).not.toContain('magnitude:');
    expect(existsSync(file)).toBe(false);
  });

  it('--list names every kind with its required fields; --json gives them as data', async () => {
    const text = await runCli(['new', '--list']);
    expect(text.code).toBe(0);
    for (const kind of ['earthquake', 'flood', 'public-health', 'rumor-rebuttal', 'traffic']) {
      expect(text.stdout).toMatch(new RegExp(`^${kind}  `, 'm'));
    }
    expect(text.stdout).toContain('required: magnitude (震级（里氏，只写数字）), epicentre');

    const json = await runCli(['new', '--list', '--json']);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as {
      kind: string;
      fields: { name: string; required: boolean }[];
    }[];
    const flood = listed.find((template) => template.kind === 'flood');
    expect(flood?.fields.filter((field) => field.required).map((field) => field.name)).toEqual([
      'river',
      'level',
      'time',
      'area',
      'advice',
      'issuer',
      'link',
    ]);
  }, 60_000);

  it('prints the statement on stdout without -o; a template whose statement lint refuses exits 2', async () => {
    const own = join(dir, 'own');
    mkdirSync(own);
    // A rebuttal without evidence: the schema takes it, the linter (and so publish) does not.
    writeFileSync(
      join(own, 'bare-rebuttal.yaml'),
      [
        'kind: bare-rebuttal',
        'title: 简易辟谣',
        'fields:',
        '  - { name: rumor, description: 网传说法, example: 地铁停运 }',
        'statement:',
        '  kind: rebuttal',
        "  headline: '网传“{{rumor}}”不实'",
        '  body: 经核实，该消息不实。',
        "  rumor: '{{rumor}}'",
        '  facts: [地铁运营正常。]',
        '  issuer: 北京市交通委员会',
        "  issuedAt: '2026-11-26T09:30:00+08:00'",
        '  link: https://www.beijing.gov.cn/a.html',
      ].join('\n'),
    );
    const refused = await runCli([
      'new',
      'bare-rebuttal',
      '--templates',
      own,
      '--set',
      'rumor=地铁停运',
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      'statement produced by the bare-rebuttal template (publish would refuse it',
    );
    expect(refused.stderr).toContain('evidence: a rebuttal gives no evidence or source');

    const printed = await runCli([
      'new',
      'rumor-rebuttal',
      '--set',
      'rumor=北京地铁今晚全线停运',
      '--set',
      'facts=地铁各线路运营正常',
      '--set',
      'evidence=经北京市交通委员会核实，各线路运行平稳',
      '--set',
      'link=https://www.beijing.gov.cn/a.html',
      '--issuer',
      '北京市交通委员会',
    ]);
    expect(printed.stderr).toBe('');
    expect(printed.code).toBe(0);
    expect(parse(printed.stdout)).toMatchObject({
      kind: 'rebuttal',
      headline: '网传“北京地铁今晚全线停运”不实',
      advice: '请勿信谣、传谣，以官方发布为准。',
    });
  }, 60_000);

  it('is listed by --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\s+new \[options\] \[kind\]/m);
  });
});
