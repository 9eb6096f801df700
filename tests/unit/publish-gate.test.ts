/**
 * The publish gate in the library: `publish` (and `followUp`) with the `gate` option checks the
 * linter and the hall's approvals over exactly the plan it is about to create, refuses before
 * anything is journaled or sent, and records what it let through in the audit trail.
 */
import { describe, expect, it } from 'vitest';
import {
  type Approval,
  type HallInput,
  MemoryJournal,
  ReleaseHallError,
  type StatementInput,
  approveStatement,
  createPublisher,
  generateApproverKey,
  readPrivateKey,
} from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import {
  fastRetry,
  memoryHall,
  rebuttal as plainRebuttal,
  testCredentials,
} from '../helpers/fixtures.js';

/** The test rebuttal with its evidence: the linter finds no error in it. */
const rebuttal: StatementInput = {
  ...plainRebuttal,
  evidence: '经市交通委与地铁运营公司核实',
};

const keys = { li: generateApproverKey(), wang: generateApproverKey() };
const ids = { li: 'li-si', wang: 'wang-wu' } as const;

function approvalsHall(): HallInput {
  return {
    ...memoryHall(2),
    approvals: {
      approvers: [
        { id: 'li-si', name: '李四', publicKey: keys.li.publicKey },
        { id: 'wang-wu', name: '王五', publicKey: keys.wang.publicKey },
      ],
      policy: { routine: 2, urgent: 1, crisis: { approvals: 1, reviewWithinHours: 24 } },
    },
  };
}

function setUp(hall: HallInput = approvalsHall()) {
  const adapter = createMemoryAdapter();
  const journal = new MemoryJournal();
  const publisher = createPublisher({
    hall,
    adapters: [adapter],
    credentials: testCredentials,
    journal,
    retry: fastRetry,
    actor: 'duty-desk',
  });
  return { adapter, journal, publisher };
}

const sign = (who: 'li' | 'wang', digest: string): Approval =>
  approveStatement({
    digest,
    approver: ids[who],
    privateKey: readPrivateKey(keys[who].privateKeyPem, who),
  });

async function refusal(promise: Promise<unknown>): Promise<ReleaseHallError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!ReleaseHallError.isInstance(error))
    throw new Error(`expected a refusal, got ${String(error)}`);
  expect(error.code).toBe('INVALID_INPUT');
  return error;
}

const paths = (error: ReleaseHallError): string[] =>
  (error.issues ?? []).map((issue) => issue.path);

describe('the publish gate', () => {
  it('a hall that names approvers refuses a publish without the gate, and sends nothing', async () => {
    const { adapter, journal, publisher } = setUp();
    const error = await refusal(publisher.publish(rebuttal, { mode: 'original' }));
    expect(error.message).toMatch(/not approved for publishing/);
    expect(paths(error)).toEqual(['gate']);
    expect(adapter.postsOf('lead/memory')).toHaveLength(0);
    expect(await journal.listCampaigns()).toHaveLength(0);
  });

  it('enough approvals over exactly this plan let it through, and the audit trail names them', async () => {
    const { adapter, publisher } = setUp();
    const options = { mode: 'original' } as const;
    const digest = await publisher.approvalDigest(rebuttal, options);
    const approvals = [sign('li', digest), sign('wang', digest)];
    const report = await publisher.publish(rebuttal, {
      ...options,
      gate: { author: 'zhang-san', approvals },
    });
    expect(report.counts).toMatchObject({ total: 3, succeeded: 3 });
    expect(report.gate?.approvals).toMatchObject({ digest, by: ['li-si', 'wang-wu'], required: 2 });
    expect(adapter.postsOf('lead/memory')).toHaveLength(1);
    const { audit } = await publisher.status(report.campaignId);
    const approved = audit.filter((entry) => entry.action === 'approve');
    expect(approved.map((entry) => [entry.actor, entry.detail?.digest])).toEqual([
      ['li-si', digest],
      ['wang-wu', digest],
    ]);
    expect(approved[0]?.at).toBe(approvals[0]?.signedAt);
    const published = audit.find((entry) => entry.action === 'publish');
    expect(published?.actor).toBe('duty-desk');
    expect(published?.detail?.gate).toMatchObject({ approvals: { by: ['li-si', 'wang-wu'] } });
  });

  it('one approval too few, a changed byte, the author approving, or a forged signature: refused', async () => {
    const { adapter, publisher } = setUp();
    const options = { mode: 'original' } as const;
    const digest = await publisher.approvalDigest(rebuttal, options);

    const one = await refusal(
      publisher.publish(rebuttal, {
        ...options,
        gate: { author: 'zhang-san', approvals: [sign('li', digest)] },
      }),
    );
    expect(one.message).toMatch(/urgency routine: 2 approvals needed/);
    expect(one.message).toMatch(/2 approvals from distinct approvers needed, 1 valid \(li-si\)/);

    const changed: StatementInput = { ...rebuttal, advice: '请勿信谣传谣，以官方发布为准！' };
    const stale = await refusal(
      publisher.publish(changed, {
        ...options,
        gate: { author: 'zhang-san', approvals: [sign('li', digest), sign('wang', digest)] },
      }),
    );
    expect(stale.message).toMatch(/approved something else/);

    const fewer = await refusal(
      publisher.publish(rebuttal, {
        ...options,
        selection: { exclude: ['m2'] },
        gate: { author: 'zhang-san', approvals: [sign('li', digest), sign('wang', digest)] },
      }),
    );
    expect(fewer.message).toMatch(/approved something else/);

    const self = await refusal(
      publisher.publish(rebuttal, {
        ...options,
        gate: { author: 'li-si', approvals: [sign('li', digest), sign('wang', digest)] },
      }),
    );
    expect(self.message).toMatch(/李四 \(li-si\) is the author/);

    const real = sign('wang', digest);
    const forged: Approval = {
      ...sign('li', digest),
      approver: 'wang-wu',
      signature: real.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
    };
    const bad = await refusal(
      publisher.publish(rebuttal, {
        ...options,
        gate: { author: 'zhang-san', approvals: [sign('li', digest), forged] },
      }),
    );
    expect(bad.message).toMatch(/signature of 王五 \(wang-wu\) is not valid/);

    const noAuthor = await refusal(
      publisher.publish(rebuttal, {
        ...options,
        gate: { approvals: [sign('li', digest), sign('wang', digest)] },
      }),
    );
    expect(paths(noAuthor)).toEqual(['gate.author']);
    expect(adapter.postsOf('lead/memory')).toHaveLength(0);
  });

  it('lint errors refuse unless overridden with a reason, journaled with who and why', async () => {
    const { adapter, publisher } = setUp(memoryHall(1));
    const bad: StatementInput = { ...rebuttal, advice: '不管你信不信，反正我信了。' };
    const refused = await refusal(publisher.publish(bad, { mode: 'original', gate: {} }));
    expect(refused.message).toMatch(
      /the linter finds 1 error, and publish sends nothing the linter refuses/,
    );
    expect(paths(refused)).toContain('gate.override');
    expect(adapter.postsOf('lead/memory')).toHaveLength(0);

    const blank = await refusal(
      publisher.publish(bad, { mode: 'original', gate: { override: { reason: '   ' } } }),
    );
    expect(paths(blank)).toEqual(['gate.override.reason']);

    const report = await publisher.publish(bad, {
      mode: 'original',
      gate: { override: { reason: 'quoting the rumor verbatim', by: 'director-wu' } },
    });
    expect(report.counts.succeeded).toBe(2);
    expect(report.gate?.lint).toEqual({
      errors: 1,
      override: { by: 'director-wu', reason: 'quoting the rumor verbatim' },
    });
    const { audit } = await publisher.status(report.campaignId);
    expect(audit.find((entry) => entry.action === 'override')).toMatchObject({
      actor: 'director-wu',
      detail: { reason: 'quoting the rumor verbatim', lintErrors: 1 },
    });

    // Without a gate, a hall without approvers publishes as before (the caller's own checks).
    const ungated = await publisher.publish({ ...bad, id: 'again' }, { mode: 'original' });
    expect(ungated.gate).toBeUndefined();
  });

  it('a crisis statement on one approval records when its review is due', async () => {
    const { publisher } = setUp();
    const crisis: StatementInput = { ...rebuttal, urgency: 'crisis' };
    const digest = await publisher.approvalDigest(crisis, { mode: 'original' });
    const before = Date.now();
    const report = await publisher.publish(crisis, {
      mode: 'original',
      gate: { author: 'zhang-san', approvals: [sign('wang', digest)] },
    });
    const due = Date.parse(report.gate?.approvals?.reviewDueAt ?? '');
    expect(due - before).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(due - Date.now()).toBeLessThanOrEqual(24 * 3_600_000);

    const status = await publisher.status(report.campaignId);
    expect(status.review).toMatchObject({
      state: 'due',
      digest,
      approvedBy: ['wang-wu'],
      author: 'zhang-san',
    });
    // The approver who let it out does not review it; a signature over something else does not count.
    const self = await refusal(publisher.review(report.campaignId, sign('wang', digest)));
    expect(self.message).toMatch(/"wang-wu" approved or published it/);
    const other = await refusal(publisher.review(report.campaignId, sign('li', 'f'.repeat(64))));
    expect(other.message).toMatch(/approved something else/);

    const review = await publisher.review(report.campaignId, sign('li', digest));
    expect(review).toMatchObject({ state: 'reviewed', reviewedBy: 'li-si', late: false });
    const after = await publisher.status(report.campaignId);
    expect(after.review).toMatchObject({ state: 'reviewed', reviewedBy: 'li-si' });
    expect(after.audit.filter((entry) => entry.action === 'review')).toHaveLength(1);
    const twice = await refusal(publisher.review(report.campaignId, sign('li', digest)));
    expect(twice.message).toMatch(/reviewed already/);
  });

  it('a campaign approved as usual asks no review', async () => {
    const { publisher } = setUp();
    const digest = await publisher.approvalDigest(rebuttal, { mode: 'original' });
    const report = await publisher.publish(rebuttal, {
      mode: 'original',
      gate: { author: 'zhang-san', approvals: [sign('li', digest), sign('wang', digest)] },
    });
    expect((await publisher.status(report.campaignId)).review).toBeUndefined();
    const error = await refusal(publisher.review(report.campaignId, sign('li', digest)));
    expect(error.message).toMatch(/asks no review/);
  });

  it('a follow-up passes the same gate, over its own plan', async () => {
    const { adapter, publisher } = setUp();
    const digest = await publisher.approvalDigest(rebuttal, { mode: 'original' });
    const first = await publisher.publish(rebuttal, {
      mode: 'original',
      gate: { author: 'zhang-san', approvals: [sign('li', digest), sign('wang', digest)] },
    });
    const update: StatementInput = {
      ...rebuttal,
      id: 'rumor-test-update',
      kind: 'update',
      headline: '关于地铁运营的补充说明',
    };
    await refusal(publisher.followUp(first.campaignId, update));
    const followDigest = await publisher.approvalDigest(update, { followUpOf: first.campaignId });
    expect(followDigest).not.toBe(digest);
    const report = await publisher.followUp(first.campaignId, update, {
      gate: {
        author: 'zhang-san',
        approvals: [sign('li', followDigest), sign('wang', followDigest)],
      },
    });
    expect(report.counts.succeeded).toBe(3);
    expect(adapter.postsOf('lead/memory')).toHaveLength(2);
  });

  it('a gate of the wrong shape is refused naming the field', async () => {
    const { publisher } = setUp();
    const error = await refusal(
      publisher.publish(rebuttal, {
        // @ts-expect-error: a misspelt field, as a caller without types might send it
        gate: { author: 'zhang-san', aprovals: [] },
      }),
    );
    expect(error.message).toMatch(/gate/);
    expect(error.message).toMatch(/aprovals/);
  });
});
