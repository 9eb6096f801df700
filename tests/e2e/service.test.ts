/**
 * The HTTP service end to end: real HTTP on loopback with plain fetch, a durable journal, the
 * Weibo sandbox behind the publisher.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApproverKey, readDataFile } from 'release-hall';
import type { HallSandbox } from 'release-hall/sandbox';
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

function livePosts(sandbox: HallSandbox): Map<string, number> {
  const counts = new Map<string, number>();
  for (const post of sandbox.weibo.platform.allPosts().filter((entry) => !entry.deleted)) {
    counts.set(post.uid, (counts.get(post.uid) ?? 0) + 1);
  }
  return counts;
}

describe('the HTTP service', () => {
  let setupValue: Setup | undefined;
  let statement: unknown;
  beforeAll(async () => {
    setupValue = await setup();
    statement = await readDataFile(statementPath, 'statement');
  });
  afterAll(async () => {
    await teardown(setupValue);
  });
  const service = (): RunningService => setupValue!.service;

  it('answers /healthz without a key', async () => {
    const response = await call(service(), 'GET', '/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('refuses a missing or unknown key (401), a role without the right (403), an unknown route (404)', async () => {
    const none = await expectProblem(await call(service(), 'GET', '/v1/campaigns'), 401);
    expect(none.detail).toContain('Bearer');
    await expectProblem(await call(service(), 'GET', '/v1/campaigns', { key: 'wrong' }), 401);
    await expectProblem(
      await call(service(), 'GET', '/v1/campaigns', { key: `${SECRETS.viewer}x` }),
      401,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/preview', { key: SECRETS.viewer, body: { statement } }),
      403,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.editor,
        body: { statement },
        headers: { 'idempotency-key': 'editor-real' },
      }),
      403,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/preview', { key: SECRETS.approver, body: { statement } }),
      403,
    );
    await expectProblem(await call(service(), 'GET', '/nowhere'), 404);
    await expectProblem(await call(service(), 'GET', '/v1/nowhere', { key: SECRETS.viewer }), 404);
    await expectProblem(
      await call(service(), 'GET', '/v1/campaigns/no-such-campaign', { key: SECRETS.viewer }),
      404,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/campaigns/no-such-campaign/pause', {
        key: SECRETS.operator,
        body: { reason: 'x' },
      }),
      404,
    );
  });

  it('refuses bad JSON and a bad body (400 with issues), a missing Idempotency-Key (400), 1.1 MB (413)', async () => {
    await expectProblem(
      await call(service(), 'POST', '/v1/preview', { key: SECRETS.editor, raw: '{"statement":' }),
      400,
    );
    const bad = await expectProblem(
      await call(service(), 'POST', '/v1/preview', {
        key: SECRETS.editor,
        body: { statement, mode: 'loud' },
      }),
      400,
    );
    expect((bad.issues as { path: string }[]).map((issue) => issue.path)).toEqual(['mode']);
    const statementIssues = await expectProblem(
      await call(service(), 'POST', '/v1/preview', {
        key: SECRETS.editor,
        body: { statement: { kind: 'rebuttal' } },
      }),
      400,
    );
    expect((statementIssues.issues as unknown[]).length).toBeGreaterThan(0);
    await expectProblem(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: { statement },
      }),
      400,
    );
    const large = JSON.stringify({ statement, padding: 'x'.repeat(1_100_000) });
    await expectProblem(
      await call(service(), 'POST', '/v1/preview', { key: SECRETS.editor, raw: large }),
      413,
    );
    // Streamed without a Content-Length: the read size is checked too.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let index = 0; index < 12; index += 1)
          controller.enqueue(new Uint8Array(100_000).fill(0x20));
        controller.close();
      },
    });
    const streamed = await fetch(`${service().url}/v1/preview`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRETS.editor}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    });
    await expectProblem(streamed, 413);
  });

  it('previews and dry-runs for an editor, sending nothing', async () => {
    const preview = await call(service(), 'POST', '/v1/preview', {
      key: SECRETS.editor,
      body: { statement, mode: 'relay' },
    });
    expect(preview.status).toBe(200);
    const body = (await preview.json()) as { deliveries: unknown[]; refusals: unknown[] };
    expect(body.deliveries).toHaveLength(72);
    expect(body.refusals).toEqual([]);
    const dryRun = await call(service(), 'POST', '/v1/campaigns', {
      key: SECRETS.editor,
      body: { statement, dryRun: true },
      headers: { 'idempotency-key': 'dry-1' },
    });
    expect(dryRun.status).toBe(200);
    expect(((await dryRun.json()) as { counts: { total: number } }).counts.total).toBe(72);
    expect(livePosts(setupValue!.sandbox).size).toBe(0);
  });

  it('creates one campaign for 10 identical concurrent requests; another body on that key is 422', async () => {
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(service(), 'POST', '/v1/campaigns', {
          key: SECRETS.operator,
          body: { statement, mode: 'relay' },
          headers: { 'idempotency-key': 'crisis-statement-1' },
        }),
      ),
    );
    const bodies = await Promise.all(
      responses.map(async (response) => {
        expect(response.status).toBe(202);
        return (await response.json()) as { campaignId: string; status: string };
      }),
    );
    const ids = new Set(bodies.map((body) => body.campaignId));
    expect(ids.size).toBe(1);
    const [campaignId] = [...ids] as [string];
    expect(campaignId).toMatch(/^api-[0-9a-f]{16}$/);
    const status = (await settled(service(), campaignId)) as {
      counts: { succeeded: number };
      deliveries: unknown[];
      audit: { action: string; actor: string }[];
    };
    expect(status.counts.succeeded).toBe(72);
    expect(status.deliveries).toHaveLength(72);
    const posts = livePosts(setupValue!.sandbox);
    expect(posts.size).toBe(72);
    expect([...posts.values()].every((count) => count === 1)).toBe(true);
    expect(status.audit.map((entry) => [entry.action, entry.actor])).toEqual([
      ['request', 'api:cms-operator'],
      ['publish', 'api:cms-operator'],
    ]);

    // The same key and body later: the same campaign, nothing sent again.
    const again = await call(service(), 'POST', '/v1/campaigns', {
      key: SECRETS.operator,
      body: { mode: 'relay', statement },
      headers: { 'idempotency-key': 'crisis-statement-1' },
    });
    expect(again.status).toBe(202);
    expect(((await again.json()) as { campaignId: string }).campaignId).toBe(campaignId);
    const mismatch = await expectProblem(
      await call(service(), 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: { statement, mode: 'original' },
        headers: { 'idempotency-key': 'crisis-statement-1' },
      }),
      422,
    );
    expect(mismatch.type).toContain('idempotency-mismatch');
    expect(livePosts(setupValue!.sandbox).size).toBe(72);

    const list = await call(service(), 'GET', '/v1/campaigns', { key: SECRETS.viewer });
    const listed = (await list.json()) as { campaigns: { id: string; counts: object }[] };
    expect(listed.campaigns.map((entry) => entry.id)).toContain(campaignId);

    // Retract: every post removed; the audit trail names the operator key.
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${campaignId}/retract`, {
        key: SECRETS.editor,
      }),
      403,
    );
    const retract = await call(service(), 'POST', `/v1/campaigns/${campaignId}/retract`, {
      key: SECRETS.operator,
    });
    expect(retract.status).toBe(200);
    expect(((await retract.json()) as { counts: { removed: number } }).counts.removed).toBe(72);
    expect(livePosts(setupValue!.sandbox).size).toBe(0);
    // A retracted campaign is not resumed: a conflict.
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${campaignId}/resume`, {
        key: SECRETS.operator,
      }),
      409,
    );
  });

  it('pauses and resumes a campaign for an operator', async () => {
    const created = await call(service(), 'POST', '/v1/campaigns', {
      key: SECRETS.operator,
      body: { statement, mode: 'original' },
      headers: { 'idempotency-key': 'to-pause' },
    });
    expect(created.status).toBe(202);
    const { campaignId } = (await created.json()) as { campaignId: string };
    const paused = await call(service(), 'POST', `/v1/campaigns/${campaignId}/pause`, {
      key: SECRETS.operator,
      body: { reason: '口径待确认' },
    });
    expect(paused.status).toBe(200);
    await expectProblem(
      await call(service(), 'POST', `/v1/campaigns/${campaignId}/pause`, {
        key: SECRETS.operator,
        body: {},
      }),
      400,
    );
    const resumed = await call(service(), 'POST', `/v1/campaigns/${campaignId}/resume`, {
      key: SECRETS.operator,
    });
    expect(resumed.status).toBe(202);
    const status = (await settled(service(), campaignId)) as {
      counts: { succeeded: number };
      audit: { action: string; actor: string }[];
    };
    expect(status.counts.succeeded).toBe(72);
    const actions = status.audit.map((entry) => entry.action);
    expect(actions).toContain('pause');
    expect(status.audit.every((entry) => entry.actor === 'api:cms-operator')).toBe(true);
  });
});

describe('the HTTP service over a hall that asks for approvals', () => {
  let setupValue: Setup | undefined;
  afterAll(async () => {
    await teardown(setupValue);
  });

  it('answers a gate refusal with 422 and its issues', async () => {
    const { publicKey } = generateApproverKey();
    setupValue = await setup((hall) => {
      hall.approvals = {
        approvers: [{ id: 'chief', name: '主任', publicKey }],
        policy: { routine: 1, urgent: 1, crisis: 1 },
      };
    });
    const statement = await readDataFile(statementPath, 'statement');
    const refused = await expectProblem(
      await call(setupValue.service, 'POST', '/v1/campaigns', {
        key: SECRETS.operator,
        body: { statement },
        headers: { 'idempotency-key': 'no-approval' },
      }),
      422,
    );
    expect((refused.issues as { path: string }[]).map((issue) => issue.path)).toEqual(['gate']);
    expect(setupValue.sandbox.weibo.platform.allPosts()).toHaveLength(0);
  });
});
