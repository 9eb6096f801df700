import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Adapter,
  ReleaseHallError,
  parseDataText,
  parseStatement,
  resolveHall,
} from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { memoryHall, rebuttal } from '../helpers/fixtures.js';

const memory = createMemoryAdapter();
const withUid: Adapter = {
  ...createMemoryAdapter({ platform: 'weibo' }),
  accountSchema: z.looseObject({ uid: z.string().regex(/^\d+$/, 'expected digits') }),
};

function invalid(run: () => unknown): ReleaseHallError {
  try {
    run();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an INVALID_INPUT error');
}

describe('resolveHall', () => {
  it('resolves accounts with ids member/platform', () => {
    const resolved = resolveHall(memoryHall(2), [memory]);
    expect(resolved.accounts.map((account) => account.id)).toEqual([
      'lead/memory',
      'm1/memory',
      'm2/memory',
    ]);
    expect(resolved.accountById.get('m1/memory')?.handle).toBe('单位1');
  });

  it('names the path and the fix for a bad platform field', () => {
    const hall = memoryHall(13, 'weibo');
    const members = hall.members as { accounts: Record<string, Record<string, unknown>> }[];
    members.forEach((member, index) => {
      const account = member.accounts.weibo;
      if (account) account.uid = index === 12 ? 'abc' : String(1000 + index);
    });
    const error = invalid(() => resolveHall(hall, [withUid]));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('members[12].accounts.weibo.uid: expected digits, got "abc"');
    expect(error.issues).toEqual([
      { path: 'members[12].accounts.weibo.uid', message: 'expected digits, got "abc"' },
    ]);
  });

  it('refuses duplicate member ids', () => {
    const hall = memoryHall(2);
    const members = hall.members as { id: string }[];
    members[2]!.id = 'm1';
    const error = invalid(() => resolveHall(hall, [memory]));
    expect(error.message).toMatch(
      /members\[2\]\.id: duplicate member id "m1" \(also members\[1\]\)/,
    );
  });

  it('refuses a lead that is not a member', () => {
    const error = invalid(() => resolveHall({ ...memoryHall(1), lead: 'nobody' }, [memory]));
    expect(error.issues).toContainEqual({
      path: 'lead',
      message: expect.stringContaining('lead "nobody" is not a member') as string,
    });
  });

  it('takes the reply deadline of the inbox in hours, 24 by default, and refuses 0', () => {
    expect(resolveHall(memoryHall(1), [memory]).hall.inbox.replyDeadlineHours).toBe(24);
    const half = { ...memoryHall(1), inbox: { replyDeadlineHours: 0.5 } };
    expect(resolveHall(half, [memory]).hall.inbox.replyDeadlineHours).toBe(0.5);
    const error = invalid(() =>
      resolveHall({ ...memoryHall(1), inbox: { replyDeadlineHours: 0 } }, [memory]),
    );
    expect(error.issues).toContainEqual({
      path: 'inbox.replyDeadlineHours',
      message: 'expected more than 0 hours, got 0',
    });
  });

  it('refuses an account on a platform with no adapter', () => {
    const error = invalid(() => resolveHall(memoryHall(1, 'myspace'), [memory]));
    expect(error.message).toContain(
      'members[0].accounts.myspace: no adapter for platform "myspace" (available: memory)',
    );
  });

  it('refuses unknown groups, unknown fields and secrets-looking credential values', () => {
    const hall = memoryHall(1) as Record<string, unknown> & { members: Record<string, unknown>[] };
    hall.members[1]!.groups = ['nope'];
    hall.members[1]!.colour = 'red';
    (
      hall.members[0] as { accounts: Record<string, Record<string, unknown>> }
    ).accounts.memory!.credentials = 'has spaces and = signs';
    const error = invalid(() => resolveHall(hall, [memory]));
    const paths = error.issues.map((issue) => issue.path);
    expect(paths).toContain('members[1]');
    expect(paths).toContain('members[0].accounts.memory.credentials');
  });

  it('reports a YAML syntax error as INVALID_INPUT with the file name', () => {
    const error = invalid(() => parseDataText('members: [\n  - id: a\n', 'hall.yaml', 'hall'));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('hall.yaml: not valid YAML');
  });
});

describe('parseStatement', () => {
  it('accepts the rebuttal and fills defaults', () => {
    const statement = parseStatement(rebuttal);
    expect(statement.urgency).toBe('routine');
    expect(statement.topics).toEqual([]);
  });

  it('requires the rumor and the facts of a rebuttal', () => {
    const { rumor: _rumor, facts: _facts, ...rest } = rebuttal;
    const error = invalid(() => parseStatement(rest));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['facts', 'rumor']);
  });

  it('requires a time with an offset and an http link', () => {
    const error = invalid(() =>
      parseStatement({ ...rebuttal, issuedAt: '2026-11-26 09:30', link: 'ftp://x' }),
    );
    expect(error.message).toContain('issuedAt');
    expect(error.message).toContain('link: expected an absolute http(s) URL');
  });
});
