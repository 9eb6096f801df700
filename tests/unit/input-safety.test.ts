/**
 * Safe input: text that changes what a reader sees is refused by field, text is normalised, sizes
 * are bounded, and the hall's identities, URLs and limits are checked before anything is sent.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Adapter,
  ReleaseHallError,
  parseDataText,
  readDataFile,
  parseStatement,
  resolveHall,
} from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { MAX_BODY_CHARACTERS } from '../../src/model/text.js';
import { buildAdapters } from '../../src/cli/build-adapters.js';
import { hallPath } from '../helpers/beijing.js';
import { memoryHall, rebuttal } from '../helpers/fixtures.js';

function refusal(run: () => unknown): ReleaseHallError {
  try {
    run();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an INVALID_INPUT error');
}

const weiboLike: Adapter = {
  ...createMemoryAdapter({ platform: 'weibo' }),
  accountSchema: z.looseObject({
    uid: z.union([z.string(), z.number().int()]).transform(String),
  }),
  identityFields: ['uid'],
};

function hallWithUids(uids: readonly unknown[]): Record<string, unknown> {
  const hall = memoryHall(uids.length - 1, 'weibo') as unknown as {
    members: { accounts: Record<string, Record<string, unknown>> }[];
  };
  hall.members.forEach((member, index) => {
    const account = member.accounts.weibo;
    if (account) account.uid = uids[index];
  });
  return hall;
}

describe('statement text', () => {
  const cases: readonly [string, string, Record<string, unknown>, RegExp][] = [
    ['a NUL in the body', 'body', { body: '通报\u0000正文' }, /NUL character \(U\+0000\)/],
    [
      'a control character in the headline',
      'headline',
      { headline: '网传\u0007不实' },
      /control character \(U\+0007\)/,
    ],
    [
      'a right-to-left override in the issuer',
      'issuer',
      { issuer: '北京\u202E市公安局' },
      /bidirectional override/,
    ],
    [
      'an isolate in a fact',
      'facts[1]',
      { facts: ['事实一', '事实\u2066二'] },
      /bidirectional override/,
    ],
    ['an unpaired surrogate in the rumor', 'rumor', { rumor: '谣言\uD83D' }, /unpaired surrogate/],
    [
      'a C1 control in the advice',
      'advice',
      { advice: '请勿\u0085信谣' },
      /control character \(U\+0085\)/,
    ],
    [
      'a body over the maximum',
      'body',
      { body: '字'.repeat(MAX_BODY_CHARACTERS + 1) },
      /at most 50000 characters/,
    ],
    ['a headline over 200 characters', 'headline', { headline: '长'.repeat(201) }, /at most 200/],
  ];
  it.each(cases)('refuses %s, naming the field', (_name, path, change, message) => {
    const error = refusal(() => parseStatement({ ...rebuttal, ...change }));
    expect(error.code).toBe('INVALID_INPUT');
    const issue = error.issues.find((entry) => entry.path === path);
    expect(issue?.message).toMatch(message);
    // The refusal never repeats the invisible character itself.
    // eslint-disable-next-line no-control-regex -- looks for the very characters refused
    expect(error.message).not.toMatch(/[\u0000\u0007\u0085\u202E\u2066]/u);
  });

  it('keeps tabs and line breaks, and normalises to NFC', () => {
    const statement = parseStatement({
      ...rebuttal,
      headline: 'Cafe\u0301 通报',
      body: '第一段\t说明。\r\n\n第二段。',
    });
    expect(statement.headline).toBe('Café 通报');
    expect(statement.headline.length).toBe(7);
    expect(statement.body).toBe('第一段\t说明。\r\n\n第二段。');
  });

  it('accepts a body of exactly the maximum', () => {
    const statement = parseStatement({ ...rebuttal, body: '字'.repeat(MAX_BODY_CHARACTERS) });
    expect(statement.body.length).toBe(MAX_BODY_CHARACTERS);
  });

  it('reads a JSON file that starts with a byte order mark', () => {
    const text = `\uFEFF${JSON.stringify(rebuttal)}`;
    expect(() => JSON.parse(text) as unknown).toThrow();
    const parsed = parseStatement(parseDataText(text, 'statement.json', 'statement'));
    expect(parsed.headline).toBe(rebuttal.headline);
  });
});

describe('hall checks', () => {
  it('refuses two members on the same platform identity', () => {
    const error = refusal(() => resolveHall(hallWithUids(['1001', '1002', '1001']), [weiboLike]));
    expect(error.issues).toEqual([
      {
        path: 'members[2].accounts.weibo.uid',
        message: expect.stringMatching(
          /uid "1001" on weibo is also the account of member "lead"/,
        ) as unknown,
      },
    ]);
  });

  it('tells to quote a uid too long to be read exactly', () => {
    // What a YAML or JSON reader makes of an unquoted 20-digit uid.
    const read = parseDataText('uid: 12345678901234567890\n', 'hall.yaml', 'hall') as {
      uid: number;
    };
    const error = refusal(() => resolveHall(hallWithUids(['1001', read.uid]), [weiboLike]));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe('members[1].accounts.weibo.uid');
    expect(error.issues[0]?.message).toMatch(/too long to be read exactly.*put it in quotes/);
  });

  it('refuses a base URL with a user name and password, without printing them', () => {
    const hall = {
      ...memoryHall(1),
      platforms: { memory: { baseURL: 'https://press:hunter2@gateway.example.gov.cn/api' } },
    };
    const error = refusal(() => resolveHall(hall, [createMemoryAdapter()]));
    expect(error.issues[0]?.path).toBe('platforms.memory.baseURL');
    expect(error.issues[0]?.message).toMatch(/must not carry a user name or password/);
    expect(JSON.stringify(error.issues)).not.toContain('hunter2');
    expect(error.message).not.toContain('hunter2');
  });

  it.each([
    ['requestTimeoutMs', 10 ** 10, /at most 600000 ms/],
    ['windowMs', 10 ** 12, /at most 31 days/],
    ['postsPerWindow', 10 ** 9, /at most 100000/],
    ['platformConcurrency', 10 ** 6, /1000/],
  ])('bounds the limit %s', (field, value, message) => {
    const hall = { ...memoryHall(1), platforms: { memory: { limits: { [field]: value } } } };
    const error = refusal(() => resolveHall(hall, [createMemoryAdapter()]));
    expect(error.issues[0]?.path).toBe(`platforms.memory.limits.${field}`);
    expect(error.issues[0]?.message).toMatch(message);
  });

  it('refuses a member name with a bidirectional override', () => {
    const hall = memoryHall(1) as unknown as { members: { name: string }[] };
    hall.members[1]!.name = '北京\u202E局';
    const error = refusal(() => resolveHall(hall, [createMemoryAdapter()]));
    expect(error.issues[0]?.path).toBe('members[1].name');
    expect(error.issues[0]?.message).toMatch(/bidirectional override/);
  });
});

describe('paths of adapter settings in the hall file', () => {
  it.each([
    [{ weibo: { baseURL: 'notaurl' } }, 'platforms.weibo.baseURL', /absolute http\(s\) URL/],
    [{ wechat: { baseURL: 'ftp://x.example' } }, 'platforms.wechat.baseURL', /http\(s\)/],
    [{ weibo: { settings: { mode: 'bogus' } } }, 'platforms.weibo.settings.mode', /share/],
  ])('names where the bad setting is written (%j)', (platforms, path, message) => {
    const error = refusal(() => buildAdapters({ platforms }));
    expect(error.issues[0]?.path).toBe(path);
    expect(error.issues[0]?.message).toMatch(message);
  });
});

describe('one platform account, one member', () => {
  it.each([
    ['weibo', 'uid'],
    ['tencent', 'openid'],
    ['wechat', 'appid'],
  ])('refuses two members on the same %s %s', async (platform, field) => {
    const hall = (await readDataFile(hallPath, 'hall')) as {
      members: { accounts: Record<string, Record<string, string>> }[];
    };
    const first = hall.members[3]!.accounts[platform]!;
    hall.members[5]!.accounts[platform]![field] = first[field]!;
    const error = refusal(() => resolveHall(hall, buildAdapters(hall)));
    expect(error.issues).toEqual([
      {
        path: `members[5].accounts.${platform}.${field}`,
        message: expect.stringMatching(
          /is also the account of member "fire": one platform account belongs to one member/,
        ) as unknown,
      },
    ]);
  });
});

describe('the statement link', () => {
  it.each([
    [
      'a space',
      'https://www.example.gov.cn/a b.html',
      /space or control character at character 29/,
    ],
    ['a tab', 'https://www.example.gov.cn/a\tb', /space or control character at character 29/],
    ['no scheme', 'www.example.gov.cn/a', /expected an absolute http\(s\) URL/],
    ['another scheme', 'javascript:alert(1)', /expected an absolute http\(s\) URL/],
    [
      'Chinese in the path',
      'https://www.example.gov.cn/通知.html',
      /percent-encode the path.*e\.g\. https:\/\/www\.example\.gov\.cn\/%E9%80%9A%E7%9F%A5\.html/,
    ],
    [
      'a user name and password',
      'https://press:hunter2@www.example.gov.cn/',
      /must not carry a user name or password/,
    ],
  ])('refuses %s, naming the fix', (_what, link, message) => {
    const error = refusal(() => parseStatement({ ...rebuttal, link }));
    expect(error.issues?.[0]?.path).toBe('link');
    expect(error.issues?.[0]?.message).toMatch(message);
    expect(error.message).not.toContain('hunter2');
  });
});
