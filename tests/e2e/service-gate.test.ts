/**
 * The publish gate over the HTTP service, end to end: real HTTP on loopback with plain fetch, a
 * durable journal, the Weibo sandbox, and approvers whose keys never reach the service.
 */
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Approval, approveStatement, generateApproverKey, readDataFile } from 'release-hall';
import type { RunningService } from 'release-hall/service';
import { statementPath } from '../helpers/beijing.js';
import {
  SECRETS,
  type Setup,
  call,
  expectProblem,
  settled,
  setup,
  teardown,
} from '../helpers/service.js';

const APPROVERS = ['chief', 'deputy', 'auditor'] as const;
type ApproverId = (typeof APPROVERS)[number];

/** Signs a digest as an approver would on their own machine. */
type Sign = (approver: ApproverId, digest: string) => Approval;

async function digestOf(
  service: RunningService,
  body: Record<string, unknown>,
  key: string = SECRETS.editor,
): Promise<string> {
  const response = await call(service, 'POST', '/v1/approvals/digest', { key, body });
  const answer = (await response.json()) as { digest: string };
  expect({ status: response.status, answer }).toMatchObject({ status: 200 });
  const { digest } = answer;
  expect(digest).toMatch(/^[0-9a-f]{64}$/);
  return digest;
}

async function accepted(response: Response): Promise<string> {
  expect(response.status).toBe(202);
  const { campaignId } = (await response.json()) as { campaignId: string };
  expect(response.headers.get('location')).toBe(`/v1/campaigns/${campaignId}`);
  return campaignId;
}

describe('the publish gate over the HTTP service', () => {
  let setupValue: Setup | undefined;
  let statement: Record<string, unknown>;
  let sign: Sign;
  const service = (): RunningService => setupValue!.service;

  beforeAll(async () => {
    const keys = Object.fromEntries(APPROVERS.map((id) => [id, generateApproverKey()])) as Record<
      ApproverId,
      ReturnType<typeof generateApproverKey>
    >;
    sign = (approver, digest) =>
      approveStatement({
        digest,
        approver,
        privateKey: createPrivateKey(keys[approver].privateKeyPem),
      });
    setupValue = await setup((hall) => {
      hall.approvals = {
        approvers: APPROVERS.map((id) => ({ id, name: id, publicKey: keys[id].publicKey })),
        policy: { routine: 2, urgent: 2, crisis: { approvals: 1, reviewWithinHours: 24 } },
      };
    });
    // Without its picture: a digest covers a picture's bytes, read where the service runs.
    const { images: _images, ...text } = (await readDataFile(statementPath, 'statement')) as Record<
      string,
      unknown
    >;
    statement = text;
  });
  afterAll(async () => {
    await teardown(setupValue);
  });

  it('gives the digest to an editor or an approver, the same as the library, and not to a viewer', async () => {
    const digest = await digestOf(service(), { statement, mode: 'relay' });
    expect(await digestOf(service(), { statement, mode: 'relay' }, SECRETS.approver)).toBe(digest);
    expect(await digestOf(service(), { statement, mode: 'original' })).not.toBe(digest);
    await expectProblem(
      await call(service(), 'POST', '/v1/approvals/digest', {
        key: SECRETS.viewer,
        body: { statement },
      }),
      403,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/approvals/digest', {
        key: SECRETS.editor,
        body: { statement, followUpOf: 'no-such-campaign' },
      }),
      404,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/approvals/digest', {
        key: SECRETS.editor,
        body: { statement: { kind: 'rebuttal' } },
      }),
      400,
    );
    expect(setupValue!.sandbox.weibo.platform.allPosts()).toHaveLength(0);
  });

  it('refuses a campaign without the gate or short of approvals (422), publishes with enough (202) and journals them', async () => {
    const body = { statement, mode: 'relay' as const };
    const refused = await expectProblem(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body,
        headers: { 'idempotency-key': 'gate-none' },
      }),
      422,
    );
    expect((refused.issues as { path: string }[]).map((issue) => issue.path)).toEqual(['gate']);

    const digest = await digestOf(service(), body);
    const short = await expectProblem(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: { ...body, gate: { author: 'duty-officer', approvals: [sign('chief', digest)] } },
        headers: { 'idempotency-key': 'gate-short' },
      }),
      422,
    );
    expect(
      (short.issues as { path: string }[]).every((issue) => issue.path.startsWith('gate')),
    ).toBe(true);
    expect(setupValue!.sandbox.weibo.platform.allPosts()).toHaveLength(0);

    const approvals = [sign('chief', digest), sign('deputy', digest)];
    const id = await accepted(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: { ...body, gate: { author: 'duty-officer', approvals } },
        headers: { 'idempotency-key': 'gate-enough' },
      }),
    );
    const status = (await settled(service(), id)) as {
      counts: { succeeded: number; total: number };
      audit: { action: string; actor: string; detail?: Record<string, unknown> }[];
    };
    expect(status.counts.succeeded).toBe(status.counts.total);
    expect(status.counts.total).toBeGreaterThan(0);
    const approves = status.audit.filter((entry) => entry.action === 'approve');
    expect(approves.map((entry) => entry.actor).sort()).toEqual(['chief', 'deputy']);
    expect(approves.every((entry) => entry.detail?.digest === digest)).toBe(true);
    expect(status.audit.find((entry) => entry.action === 'publish')?.actor).toBe(
      'api:cms-operator',
    );
  });

  it('publishes a follow-up once per Idempotency-Key, through the gate over its own digest', async () => {
    const signed = await digestOf(service(), { statement });
    const original = await accepted(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: {
          statement,
          gate: {
            author: 'duty-officer',
            approvals: [sign('chief', signed), sign('auditor', signed)],
          },
        },
        headers: { 'idempotency-key': 'follow-up-original' },
      }),
    );
    await settled(service(), original);
    const posted = setupValue!.sandbox.weibo.platform.allPosts().length;

    const update = {
      ...statement,
      id: 'rumor-subway-2026-11-26-update',
      kind: 'update',
      headline: '北京地铁今晚正常运营',
    };
    // Not an update or a correction: refused as input.
    const notFollowUp = await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${original}/follow-up`, {
        key: SECRETS.operator,
        body: { statement },
        headers: { 'idempotency-key': 'update-rebuttal' },
      }),
      400,
    );
    expect((notFollowUp.issues as { path: string }[]).map((issue) => issue.path)).toEqual(['kind']);
    // Unsigned: refused before anything is created.
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${original}/follow-up`, {
        key: SECRETS.operator,
        body: { statement: update },
        headers: { 'idempotency-key': 'update-unsigned' },
      }),
      422,
    );
    const digest = await digestOf(service(), { statement: update, followUpOf: original });
    expect(digest).not.toBe(await digestOf(service(), { statement: update }));
    const body = {
      statement: update,
      gate: { author: 'duty-officer', approvals: [sign('chief', digest), sign('deputy', digest)] },
    };
    const send = (key: string, requestBody: unknown = body) =>
      call(service(), 'POST', `/v1/campaigns/${original}/follow-up`, {
        key,
        body: requestBody,
        headers: { 'idempotency-key': 'update-1' },
      });
    await expectProblem(await send(SECRETS.editor), 403);
    const ids = await Promise.all(
      Array.from({ length: 5 }, async () => accepted(await send(SECRETS.operator))),
    );
    expect(new Set(ids).size).toBe(1);
    const followUp = ids[0]!;
    expect(followUp).not.toBe(original);
    expect(await accepted(await send(SECRETS.operator))).toBe(followUp);
    await expectProblem(
      await send(SECRETS.operator, { ...body, statement: { ...update, headline: '另一个' } }),
      422,
    );
    // A key already naming a campaign is not reused for a follow-up.
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${original}/follow-up`, {
        key: SECRETS.operator,
        body,
        headers: { 'idempotency-key': 'follow-up-original' },
      }),
      422,
    );

    const status = (await settled(service(), followUp)) as {
      campaign: { statementId: string };
      counts: { succeeded: number; total: number };
      audit: { action: string; actor: string }[];
    };
    expect(status.campaign.statementId).toBe(update.id);
    expect(status.counts.succeeded).toBe(status.counts.total);
    expect(status.counts.total).toBeGreaterThan(0);
    expect(setupValue!.sandbox.weibo.platform.allPosts().length).toBe(posted + status.counts.total);
    expect(
      status.audit.filter((entry) => entry.action === 'approve').map((entry) => entry.actor),
    ).toEqual(expect.arrayContaining(['chief', 'deputy']));
    expect(
      status.audit.filter(
        (entry) => entry.action === 'request' && entry.actor === 'api:cms-operator',
      ),
    ).toHaveLength(1);
    await expect
      .poll(async () => {
        const now = (await (
          await call(service(), 'GET', `/v1/campaigns/${original}`, { key: SECRETS.viewer })
        ).json()) as { audit: { action: string; detail?: Record<string, unknown> }[] };
        return now.audit.find((entry) => entry.action === 'follow-up')?.detail?.followUp;
      })
      .toBe(followUp);
    await expectProblem(
      await call(service(), 'POST', '/v1/campaigns/no-such-campaign/follow-up', {
        key: SECRETS.operator,
        body,
        headers: { 'idempotency-key': 'update-2' },
      }),
      404,
    );
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${original}/follow-up`, {
        key: SECRETS.operator,
        body,
      }),
      400,
    );
  });

  it('records the review of a crisis statement sent on one approval; refuses one that does not count (422)', async () => {
    const crisis = { ...statement, id: 'rumor-subway-2026-11-26-crisis', urgency: 'crisis' };
    const digest = await digestOf(service(), { statement: crisis });
    const id = await accepted(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: {
          statement: crisis,
          gate: { author: 'duty-officer', approvals: [sign('chief', digest)] },
        },
        headers: { 'idempotency-key': 'crisis-1' },
      }),
    );
    const status = (await settled(service(), id)) as {
      review?: { state: string; digest: string; approvedBy: string[] };
    };
    expect(status.review).toMatchObject({ state: 'due', digest, approvedBy: ['chief'] });

    const review = (approval: Approval, key: string = SECRETS.approver) =>
      call(service(), 'POST', `/v1/campaigns/${id}/review`, { key, body: { approval } });
    await expectProblem(await review(sign('deputy', digest), SECRETS.operator), 403);
    const own = await expectProblem(await review(sign('chief', digest)), 422);
    expect(JSON.stringify(own.issues)).toContain('chief');
    await expectProblem(await review(sign('deputy', 'f'.repeat(64))), 422);
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${id}/review`, {
        key: SECRETS.approver,
        body: { approval: { approver: 'deputy' } },
      }),
      400,
    );

    // `/approve` is the same call as `/review`.
    const done = await call(service(), 'POST', `/v1/campaigns/${id}/approve`, {
      key: SECRETS.approver,
      body: { approval: sign('deputy', digest) },
    });
    expect(done.status).toBe(200);
    expect(await done.json()).toMatchObject({
      state: 'reviewed',
      reviewedBy: 'deputy',
      late: false,
      digest,
    });
    await expectProblem(await review(sign('auditor', digest)), 422);
    const after = (await (
      await call(service(), 'GET', `/v1/campaigns/${id}`, { key: SECRETS.viewer })
    ).json()) as {
      review: { state: string };
      audit: { action: string; actor: string }[];
    };
    expect(after.review.state).toBe('reviewed');
    expect(after.audit.filter((entry) => entry.action === 'review').map((e) => e.actor)).toEqual([
      'deputy',
    ]);
    await expectProblem(
      await call(service(), 'POST', '/v1/campaigns/no-such-campaign/review', {
        key: SECRETS.approver,
        body: { approval: sign('deputy', digest) },
      }),
      404,
    );
  });
});
