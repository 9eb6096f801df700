import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Adapter,
  Redactor,
  createCredentialsResolver,
  credentialsEnvName,
  parseStatement,
  planCampaign,
  readCredentialsFile,
  resolveHall,
  selectAccounts,
} from 'release-hall';
import { idempotencyKey } from '../../src/plan/plan-campaign.js';
import { redactUrl } from 'release-hall/adapter-kit';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { memoryHall, rebuttal } from '../helpers/fixtures.js';

const adapter = createMemoryAdapter();
const resolved = resolveHall(memoryHall(4), [adapter]);
const adapters = new Map([[adapter.platform, adapter]]);

describe('planCampaign', () => {
  it('relay: the lead posts first, members relay it', () => {
    const plan = planCampaign({
      campaignId: 'c1',
      statement: parseStatement(rebuttal),
      resolved,
      adapters,
      mode: 'relay',
    });
    expect(plan.deliveries[0]).toMatchObject({ accountId: 'lead/memory', action: 'post' });
    expect(
      plan.deliveries
        .slice(1)
        .every(
          (delivery) => delivery.action === 'relay' && delivery.dependsOn === 'c1:lead/memory:post',
        ),
    ).toBe(true);
    expect(new Set(plan.deliveries.map((delivery) => delivery.idempotencyKey)).size).toBe(
      plan.deliveries.length,
    );
  });

  it('relay includes the lead even when the selection leaves it out', () => {
    const plan = planCampaign({
      campaignId: 'c1',
      statement: parseStatement(rebuttal),
      resolved,
      adapters,
      mode: 'relay',
      selection: { groups: ['districts'] },
    });
    expect(plan.deliveries.map((delivery) => delivery.accountId)).toEqual([
      'lead/memory',
      'm2/memory',
      'm4/memory',
    ]);
  });

  it('refuses push members that name nobody who could push', () => {
    const pusher: Adapter = {
      ...adapter,
      push: () => Promise.reject(new Error('a plan sends nothing')),
    };
    const withPush = new Map([[pusher.platform, pusher]]);
    const plan =
      (members: string[], policy: 'push' | 'publish' = 'push') =>
      () =>
        planCampaign({
          campaignId: 'c1',
          statement: parseStatement(rebuttal),
          resolved,
          adapters: withPush,
          mode: 'original',
          selection: { groups: ['bureaus'] },
          push: { policy, members },
        });
    expect(plan(['m1'])().deliveries.find((entry) => entry.memberId === 'm1')?.action).toBe('push');
    expect(plan(['ghost'])).toThrow(/push\.members\[0\]: "ghost" names no selected member/);
    // m2 is in the hall but not in the selection.
    expect(plan(['m1', 'm2'])).toThrow(/push\.members\[1\]: "m2" names no selected member/);
    expect(plan(['m1'], 'publish')).toThrow(/push policy is "publish"/);
    // The memory platform cannot push at all.
    expect(() =>
      planCampaign({
        campaignId: 'c1',
        statement: parseStatement(rebuttal),
        resolved,
        adapters,
        mode: 'original',
        push: { policy: 'push', members: ['m1'] },
      }),
    ).toThrow(/push\.members\[0\]: "m1" names no selected member with an account that can push/);
  });

  it('idempotency keys are stable and differ by action', () => {
    expect(idempotencyKey('c', 'a', 'post')).toBe(idempotencyKey('c', 'a', 'post'));
    expect(idempotencyKey('c', 'a', 'post')).not.toBe(idempotencyKey('c', 'a', 'relay'));
    expect(idempotencyKey('c', 'a', 'post')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('selectAccounts', () => {
  it('selects by member, group and tag (union) minus exclusions, then by platform', () => {
    const ids = (selection: Parameters<typeof selectAccounts>[1]): string[] =>
      selectAccounts(resolved, selection).map((account) => account.memberId);
    expect(ids({})).toEqual(['lead', 'm1', 'm2', 'm3', 'm4']);
    expect(ids({ groups: ['bureaus'] })).toEqual(['m1', 'm3']);
    expect(ids({ tags: ['public-safety'], members: ['m4'] })).toEqual(['m1', 'm4']);
    expect(ids({ groups: ['bureaus'], exclude: ['m3'] })).toEqual(['m1']);
  });

  it('refuses unknown ids in a selection', () => {
    expect(() => selectAccounts(resolved, { members: ['ghost'], groups: ['nope'] })).toThrow(
      /selection\.members\[0\]: unknown member "ghost"[\s\S]*selection\.groups\[0\]: unknown group "nope"/,
    );
  });
});

describe('credentials', () => {
  const account = resolved.accounts[1]!;

  it('reads one environment variable per field', async () => {
    const resolver = createCredentialsResolver({
      env: { [credentialsEnvName('cred-m1', 'access_token')]: 'env-secret-1' },
    });
    expect(credentialsEnvName('cred-m1', 'access_token')).toBe(
      'RELEASE_HALL_CRED_CRED_M1__ACCESS_TOKEN',
    );
    expect(await resolver.resolve(account, ['access_token'])).toEqual({
      access_token: 'env-secret-1',
    });
  });

  it('reads a YAML credentials file and prefers a function', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cred-'));
    const file = join(dir, 'credentials.yaml');
    writeFileSync(file, 'cred-m1:\n  access_token: file-secret-1\n', { mode: 0o600 });
    expect(
      await createCredentialsResolver({ file, env: {} }).resolve(account, ['access_token']),
    ).toEqual({ access_token: 'file-secret-1' });
    const withFunction = createCredentialsResolver({
      file,
      env: {},
      resolve: () => ({ access_token: 'fn-secret-1' }),
    });
    expect(await withFunction.resolve(account, ['access_token'])).toEqual({
      access_token: 'fn-secret-1',
    });
  });

  it('warns when other users may read the credentials file, without printing a secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cred-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(file, JSON.stringify({ 'cred-m1': { access_token: 'open-secret' } }));
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const resolver = createCredentialsResolver({
      file,
      env: {},
      onWarning: (message) => warnings.push(message),
    });
    expect(await resolver.resolve(account, ['access_token'])).toEqual({
      access_token: 'open-secret',
    });
    expect(warnings).toEqual([
      expect.stringMatching(/may be read by other users \(mode 644\): run chmod 600/),
    ]);
    expect(warnings.join('')).not.toContain('open-secret');
    chmodSync(file, 0o600);
    warnings.length = 0;
    await readCredentialsFile(file, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toEqual([]);
  });

  it('refuses a missing or malformed credentials file as one error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rh-cred-'));
    const missing = join(dir, 'nope.yaml');
    await expect(readCredentialsFile(missing)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(readCredentialsFile(missing)).rejects.toThrow(/nope\.yaml/);
    const list = join(dir, 'list.yaml');
    writeFileSync(list, '- a\n- b\n', { mode: 0o600 });
    await expect(readCredentialsFile(list)).rejects.toThrow(
      /must map each reference to its fields/,
    );
    const nested = join(dir, 'nested.json');
    writeFileSync(
      nested,
      JSON.stringify({ 'cred-m1': { access_token: { value: 'x' } }, other: 'flat-secret' }),
      { mode: 0o600 },
    );
    const error = await readCredentialsFile(nested).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(String(error)).toMatch(/cred-m1\.access_token: expected a string, got object/);
    expect(String(error)).toMatch(/other: expected the fields of this reference/);
    expect(String(error)).not.toContain('flat-secret');
  });

  it('names the reference and where to put the secret when none is found', async () => {
    const resolver = createCredentialsResolver({ env: {} });
    await expect(resolver.resolve(account, ['access_token'])).rejects.toThrow(
      'no credentials for account "m1/memory" (reference "cred-m1"): set RELEASE_HALL_CRED_CRED_M1__ACCESS_TOKEN',
    );
  });
});

describe('redaction', () => {
  it('removes credential parameters from URLs', () => {
    expect(redactUrl('https://api.weixin.qq.com/cgi-bin/draft/add?access_token=abc123&x=1')).toBe(
      'https://api.weixin.qq.com/cgi-bin/draft/add?access_token=[redacted]&x=1',
    );
  });

  it('scrubs known secrets from strings, objects and errors', () => {
    const redactor = new Redactor();
    redactor.add('s3cr3t-token', 'ab');
    const error = new Error('failed with s3cr3t-token', { cause: new Error('inner s3cr3t-token') });
    const scrubbed = redactor.deep({
      message: 'token s3cr3t-token',
      list: ['x s3cr3t-token'],
      error,
      short: 'ab',
    });
    expect(JSON.stringify(scrubbed)).not.toContain('s3cr3t-token');
    expect(error.message).toBe('failed with [redacted]');
    expect((error.cause as Error).message).toBe('inner [redacted]');
    expect(scrubbed.short).toBe('ab');
  });
});
