/**
 * Approvals bound to the content: the digest covers exactly what would be sent, a signature counts
 * only for that digest, from a known approver, once, and never from the author.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type Approval,
  type ApprovalSubject,
  type Approver,
  approvalDigest,
  approveStatement,
  canonicalJson,
  generateApproverKey,
  hallApprovers,
  hallSchema,
  parseStatement,
  readApprovalFile,
  readPrivateKey,
  readPublicKey,
  verifyApprovals,
  withApproval,
} from 'release-hall';
import { rebuttal } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'rh-approvals-'));
const cover = join(dir, 'cover.jpg');
writeFileSync(cover, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]));

function subject(change: Partial<ApprovalSubject> = {}): ApprovalSubject {
  return {
    statement: parseStatement({ ...rebuttal, images: [cover] }),
    mode: 'relay',
    push: { policy: 'publish' },
    deliveries: [
      { accountId: 'lead/weibo', action: 'post' },
      { accountId: 'm1/weibo', action: 'relay' },
    ],
    ...change,
  };
}

const keys = {
  li: generateApproverKey(),
  wang: generateApproverKey(),
  zhao: generateApproverKey(),
};
const approvers: Approver[] = [
  { id: 'li-si', name: '李四', publicKey: readPublicKey(keys.li.publicKey, 'li') },
  { id: 'wang-wu', name: '王五', publicKey: readPublicKey(keys.wang.publicKey, 'wang') },
];
const signAs = (approver: 'li' | 'wang' | 'zhao', digest: string): Approval =>
  approveStatement({
    digest,
    approver: { li: 'li-si', wang: 'wang-wu', zhao: 'zhao-liu' }[approver],
    privateKey: readPrivateKey(keys[approver].privateKeyPem, approver),
    now: new Date('2026-11-26T01:00:00Z'),
  });

describe('approvalDigest', () => {
  it('is canonical: key order and the order of deliveries do not matter', async () => {
    expect(canonicalJson({ b: 1, a: [2, { d: undefined, c: 3 }] })).toBe('{"a":[2,{"c":3}],"b":1}');
    const base = await approvalDigest(subject());
    const reordered = await approvalDigest(
      subject({ deliveries: [...subject().deliveries].reverse() }),
    );
    expect(reordered).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with a comma, a picture, the accounts, the mode and the push policy', async () => {
    const base = await approvalDigest(subject());
    const variants: ApprovalSubject[] = [
      subject({
        statement: parseStatement({ ...rebuttal, images: [cover], body: `${rebuttal.body}，` }),
      }),
      subject({ mode: 'original' }),
      subject({ push: { policy: 'push' } }),
      subject({ deliveries: [{ accountId: 'lead/weibo', action: 'post' }] }),
      subject({
        deliveries: [...subject().deliveries, { accountId: 'm2/weibo', action: 'relay' }],
      }),
    ];
    for (const variant of variants) expect(await approvalDigest(variant)).not.toBe(base);
    const otherCover = join(dir, 'other', 'cover.jpg');
    writeFileSync(join(dir, 'cover2.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 4]));
    const swapped = subject({
      statement: parseStatement({ ...rebuttal, images: [join(dir, 'cover2.jpg')] }),
    });
    expect(await approvalDigest(swapped)).not.toBe(base);
    await expect(
      approvalDigest(subject({ statement: parseStatement({ ...rebuttal, images: [otherCover] }) })),
    ).rejects.toThrow(/images\[0\]: cannot read .*an approval covers the picture's bytes/);
  });
});

describe('verifyApprovals', () => {
  it('accepts enough valid approvals from distinct approvers', async () => {
    const digest = await approvalDigest(subject());
    const verdict = verifyApprovals({
      digest,
      approvals: [signAs('li', digest), signAs('wang', digest)],
      approvers,
      required: 2,
      author: 'someone-else',
    });
    expect(verdict).toMatchObject({ ok: true, valid: ['li-si', 'wang-wu'], issues: [] });
  });

  it('refuses what was approved before a change, naming the approver and the fix', async () => {
    const before = await approvalDigest(subject());
    const after = await approvalDigest(subject({ mode: 'original' }));
    const verdict = verifyApprovals({
      digest: after,
      approvals: [signAs('li', before), signAs('wang', after)],
      approvers,
      required: 2,
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.valid).toEqual(['wang-wu']);
    expect(verdict.issues).toEqual([
      {
        path: 'approvals[0]',
        message: expect.stringContaining('李四 (li-si) approved something else') as string,
      },
      {
        path: 'approvals',
        message:
          '2 approvals from distinct approvers needed, 1 valid (wang-wu): run "release-hall approve" as another approver',
      },
    ]);
  });

  it('refuses a forged or altered approval, an unknown approver, and self-approval', async () => {
    const digest = await approvalDigest(subject());
    const forged: Approval = { ...signAs('zhao', digest), approver: 'li-si' };
    const altered: Approval = { ...signAs('wang', digest), signedAt: '2026-11-27T00:00:00.000Z' };
    const unknown = signAs('zhao', digest);
    const own = signAs('li', digest);
    const verdict = verifyApprovals({
      digest,
      approvals: [forged, altered, unknown, own],
      approvers,
      required: 1,
      author: 'li-si',
    });
    expect(verdict.ok).toBe(false);
    expect(verdict.issues.map((issue) => issue.path)).toEqual([
      'approvals[0]',
      'approvals[1]',
      'approvals[2]',
      'approvals[3]',
      'approvals',
    ]);
    expect(verdict.issues[0]!.message).toMatch(/signature of 李四 \(li-si\) is not valid/);
    expect(verdict.issues[1]!.message).toMatch(/signature of 王五 \(wang-wu\) is not valid/);
    expect(verdict.issues[2]!.message).toMatch(/"zhao-liu" is not an approver of this hall/);
    expect(verdict.issues[3]!.message).toMatch(/is the author: no one approves their own/);
  });

  it('counts an approver once, however many times they sign', async () => {
    const digest = await approvalDigest(subject());
    const verdict = verifyApprovals({
      digest,
      approvals: [signAs('li', digest), signAs('li', digest)],
      approvers,
      required: 2,
    });
    expect(verdict).toMatchObject({ ok: false, valid: ['li-si'] });
  });
});

describe('approval files and keys', () => {
  it('keeps one approval per approver and reads back what it wrote', async () => {
    const digest = await approvalDigest(subject());
    const file = join(dir, 'st.yaml.approval');
    const first = withApproval([], signAs('li', digest));
    const second = withApproval(first.approvals, signAs('li', 'f'.repeat(64)));
    expect(second.approvals).toHaveLength(1);
    writeFileSync(file, JSON.stringify(withApproval(second.approvals, signAs('wang', digest))));
    expect((await readApprovalFile(file)).map((approval) => approval.approver)).toEqual([
      'li-si',
      'wang-wu',
    ]);
    expect(await readApprovalFile(join(dir, 'absent.approval'))).toEqual([]);
    writeFileSync(file, '{"v":1,"approvals":[{"approver":"li-si"}]}');
    await expect(readApprovalFile(file)).rejects.toThrow(/is not an approvals file/);
  });

  it('refuses keys that are not Ed25519, naming whose key', () => {
    expect(() =>
      readPublicKey('bm90IGEga2V5IGF0IGFsbCwganVzdCB0ZXh0IGhlcmU=', 'approver "li-si"'),
    ).toThrow(/approver "li-si" is not an Ed25519 public key/);
    expect(() => readPrivateKey(keys.li.publicKey, 'the key of li-si')).toThrow(
      /the key of li-si is not an Ed25519 private key/,
    );
  });

  it('the hall file: duplicate approvers, a policy above the approvers and a bad key are refused', () => {
    const hall = {
      id: 'h',
      name: '测试',
      lead: 'lead',
      members: [
        {
          id: 'lead',
          name: '单位',
          accounts: { weibo: { handle: 'a', uid: '1', credentials: 'c' } },
        },
      ],
    };
    const refused = hallSchema.safeParse({
      ...hall,
      approvals: {
        approvers: [
          { id: 'li-si', name: '李四', publicKey: keys.li.publicKey },
          { id: 'li-si', name: '李四', publicKey: keys.li.publicKey },
        ],
        policy: { routine: 3 },
      },
    });
    expect(refused.success).toBe(false);
    const messages = refused.error?.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    expect(messages).toEqual([
      'approvals.approvers.1.id: approver "li-si" is listed twice: give each approver one entry',
      'approvals.policy.routine: 3 approvals needed but only 2 approvers listed: add approvers or lower the number',
    ]);
    const parsed = hallSchema.parse({
      ...hall,
      approvals: {
        approvers: [{ id: 'li-si', name: '李四', publicKey: 'x'.repeat(44) }],
        policy: { routine: 1 },
      },
    });
    expect(() => hallApprovers(parsed.approvals!)).toThrow(
      /approvals\.approvers\[0\]\.publicKey: approver "li-si" is not an Ed25519 public key/,
    );
  });
});
