import { afterEach, describe, expect, it } from 'vitest';
import { type StatementInput, createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import { fastRetry } from '../helpers/fixtures.js';
import { beijingHall, beijingRebuttal } from '../helpers/beijing.js';

let sandbox: HallSandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const secretFor = (ref: string): string => `TOPSECRET-${ref}-Zx9&q=1/+`;

describe('no secret leaves the library', () => {
  it('a whole campaign with faults: no secret in any event, log line, report or error', async () => {
    const hall = await beijingHall();
    sandbox = await startHallSandbox(hall, {
      tokenFor: secretFor,
      weibo: { latency: { fixedMs: 1 } },
    });
    const platform = sandbox.weibo.platform;
    const uids = platform.accounts().map((account) => account.uid);
    platform.injectFault({ kind: 'token-expired', uid: uids[1]!, times: 3 });
    platform.injectFault({ kind: '5xx-before-apply', uid: uids[2]! });
    platform.injectFault({ kind: 'drop-after-apply', uid: uids[3]! });
    platform.injectFault({ kind: 'html-200', uid: uids[4]! });
    platform.injectFault({
      kind: 'error-before-apply',
      uid: uids[5]!,
      errorCode: 20021,
      errorText: 'content is illegal!',
    });
    platform.injectFault({ kind: 'truncated-after-apply', uid: uids[6]! });

    const emitted: unknown[] = [];
    const logs: unknown[] = [];
    const publisher = createPublisher({
      hall,
      adapters: [
        createWeiboAdapter({
          baseURL: sandbox.baseURLs.weibo,
          rip: '203.0.113.10',
          limits: { requestTimeoutMs: 10_000 },
        }),
      ],
      credentials: ({ ref }) => ({ access_token: secretFor(ref) }),
      retry: fastRetry,
      log: (level, message, fields) => logs.push({ level, message, fields }),
    });
    for (const name of [
      'campaign:planned',
      'delivery:started',
      'delivery:retrying',
      'delivery:succeeded',
      'delivery:failed',
      'delivery:skipped',
      'campaign:progress',
      'campaign:finished',
      'log',
    ] as const) {
      publisher.on(name, (event: unknown) => emitted.push({ name, event }));
    }
    const report = await publisher.publish(await beijingRebuttal(), { mode: 'relay' });
    expect(report.counts.failed).toBeGreaterThanOrEqual(2);

    const journal = await publisher.journal.getDeliveries(report.campaignId);
    const everything = JSON.stringify({ emitted, logs, report, journal });
    expect(emitted.length).toBeGreaterThan(200);
    const secrets = [
      ...new Set(publisher.hall.accounts.map((account) => secretFor(account.credentials))),
    ];
    expect(secrets).toHaveLength(72);
    for (const secret of secrets) {
      for (const form of [
        secret,
        encodeURIComponent(secret),
        new URLSearchParams({ s: secret }).toString().slice(2),
      ]) {
        expect(everything.includes(form), `secret of ${secret.slice(10, 30)} leaked`).toBe(false);
      }
    }
    // the failures are still described in plain words
    const expired = report.deliveries.find((delivery) => delivery.errorCode === 'AUTH_EXPIRED');
    expect(expired?.errorMessage).toMatch(
      /\[release-hall\] \[weibo\] statuses\/repost failed \(21327/,
    );
  });

  it('errors thrown for bad input carry no secret either', async () => {
    const hall = await beijingHall();
    const publisher = createPublisher({
      hall,
      adapters: [createWeiboAdapter({ rip: '203.0.113.10' })],
      credentials: ({ ref }) => ({ access_token: secretFor(ref) }),
    });
    let thrown: unknown;
    try {
      await publisher.publish({ kind: 'rebuttal', headline: 'x' } as unknown as StatementInput, {
        selection: { members: ['ghost'] },
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    const text = `${(thrown as Error).stack ?? ''}${JSON.stringify(thrown)}`;
    expect(text).not.toContain('TOPSECRET');
  });
});
