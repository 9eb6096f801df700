/**
 * The Redis journal against a real redis-server: the journal contract, fencing between two
 * clients, the durability check, and a server killed with SIGKILL that comes back from its
 * append-only file with every acknowledged change.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Logger, ReleaseHallError, createPublisher } from 'release-hall';
import { RedisJournal, createRedisJournal, redisJournalKeys } from 'release-hall/journal/redis';
import { checkRedisDurability } from 'release-hall/redis';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { CREATE_CAMPAIGN } from '../../src/journal/redis-journal-scripts.js';
import { fastRetry, memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';
import { type RedisTestServer, startRedisServer } from '../helpers/redis-server.js';
import { campaign, delivery, describeJournalContract } from './journal-contract.js';

let server: RedisTestServer;
const clients: Redis[] = [];

/** A client of the test server, closed after the file. */
function connect(url = server.url): Redis {
  const client = new Redis(url);
  client.on('error', () => undefined);
  clients.push(client);
  return client;
}

beforeAll(async () => {
  server = await startRedisServer();
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await server?.stop();
});

async function failure(work: Promise<unknown>): Promise<ReleaseHallError> {
  try {
    await work;
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: () => undefined,
  };
}

// Each test of the contract gets its own prefix on one server and one client.
describeJournalContract('Redis', () =>
  createRedisJournal({ client: connect(), prefix: `contract-${randomUUID()}:` }),
);

describe('RedisJournal: fencing between processes', () => {
  it('refuses every change of a stalled worker once another claimed its deliveries', async () => {
    const prefix = `fence-${randomUUID()}:`;
    const workerA = await createRedisJournal({ client: connect(), prefix });
    const workerB = await createRedisJournal({ client: connect(), prefix });
    const ids = Array.from({ length: 40 }, (_, index) => `d${index}`);
    await workerA.createCampaign(
      campaign(),
      ids.map((id) => delivery(id)),
    );
    await workerA.claim(ids, 'lease-A');
    await Promise.all(
      ids.map((deliveryId) =>
        workerA.transition({
          deliveryId,
          state: 'sending',
          at: 'a1',
          attempt: 1,
          lease: 'lease-A',
        }),
      ),
    );
    // A stalls; B takes every delivery over. Then both write at once.
    await workerB.claim(ids, 'lease-B');
    const outcomes = await Promise.allSettled(
      ids.flatMap((deliveryId) => [
        workerA.transition({ deliveryId, state: 'failed', at: 'a2', lease: 'lease-A' }),
        workerB.transition({
          deliveryId,
          state: 'reconciled',
          at: 'b1',
          lease: 'lease-B',
          remoteId: `r-${deliveryId}`,
        }),
      ]),
    );
    outcomes.forEach((outcome, index) => {
      if (index % 2 === 0) {
        expect(outcome.status).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'LEASE_LOST' });
      } else {
        expect(outcome.status).toBe('fulfilled');
      }
    });
    const records = await workerB.getDeliveries('c1');
    for (const record of records) {
      expect(record.state).toBe('reconciled');
      expect(record.lease).toBe('lease-B');
      expect(record.history.map((change) => change.state)).toEqual(['sending', 'reconciled']);
    }
    expect(await workerA.check()).toEqual([]);
  });

  it('records a change resent after a lost answer once', async () => {
    const journal = await createRedisJournal({
      client: connect(),
      prefix: `repeat-${randomUUID()}:`,
    });
    await journal.createCampaign(campaign(), [delivery('a')]);
    const change = { deliveryId: 'a', state: 'sending', at: 't1', attempt: 1 } as const;
    await journal.transition(change);
    await journal.transition(change);
    const [record] = await journal.getDeliveries('c1');
    expect(record?.history).toHaveLength(1);
  });
});

describe('RedisJournal: a creation resent', () => {
  it('is recognised by its token; another creation of the same id is refused', async () => {
    const client = connect();
    const keys = redisJournalKeys(`resent-${randomUUID()}:`);
    const create = (token: string): Promise<unknown> =>
      CREATE_CAMPAIGN.run(
        client,
        [keys.campaign('c1'), keys.campaigns],
        ['c1', token, '{}', 'running', '', ''],
      );
    expect(await create('token-1')).toBe(1);
    expect(await create('token-1')).toBe(2);
    expect(await create('token-2')).toBe(0);
    expect(await client.lrange(keys.campaigns, 0, -1)).toEqual(['c1']);
  });
});

describe('RedisJournal: keys, options and check', () => {
  it('keeps journals under different prefixes apart, and refuses keys of another layout', async () => {
    const client = connect();
    const one = await createRedisJournal({ client, prefix: `one-${randomUUID()}:` });
    const two = await createRedisJournal({ client, prefix: `two-${randomUUID()}:` });
    await one.createCampaign(campaign(), [delivery('a')]);
    await two.createCampaign(campaign(), [delivery('b')]);
    expect((await one.getDeliveries('c1')).map((record) => record.delivery.id)).toEqual(['a']);
    expect((await two.getDeliveries('c1')).map((record) => record.delivery.id)).toEqual(['b']);

    const taken = `taken-${randomUUID()}:`;
    await client.set(`${taken}journal`, 'something else');
    const error = await failure(createRedisJournal({ client, prefix: taken }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/not a release-hall journal/);
    expect(await client.get(`${taken}journal`)).toBe('something else');
  });

  it('uses the documented default prefix and key names', async () => {
    const client = connect();
    const journal = await createRedisJournal({ client });
    expect(journal.prefix).toBe('release-hall:');
    await journal.createCampaign(campaign('layout-check'), [delivery('layout-d', 'layout-check')]);
    await journal.transition({ deliveryId: 'layout-d', state: 'sending', at: 't', lease: 'l' });
    const keys = redisJournalKeys();
    expect(await client.get('release-hall:journal')).toBe('release-hall-journal/2');
    expect(await client.lrange(keys.campaigns, 0, -1)).toContain('layout-check');
    expect(await client.hget('release-hall:delivery:layout-d', 'state')).toBe('sending');
    expect(await client.llen('release-hall:delivery-history:layout-d')).toBe(1);
    expect(await client.lrange('release-hall:campaign-deliveries:layout-check', 0, -1)).toEqual([
      'layout-d',
    ]);
  });

  it('check() finds a delivery whose state is not its latest change', async () => {
    const client = connect();
    const prefix = `check-${randomUUID()}:`;
    const journal = await createRedisJournal({ client, prefix });
    await journal.createCampaign(campaign(), [delivery('a'), delivery('b')]);
    await journal.transition({ deliveryId: 'a', state: 'sending', at: 't' });
    await client.hset(`${prefix}delivery:a`, 'state', 'succeeded');
    await client.del(`${prefix}delivery:b`);
    expect(await journal.check()).toEqual([
      'delivery a: state succeeded ≠ last transition sending',
      'delivery b is listed by campaign c1 but missing',
    ]);
  });

  it('refuses options that are not a URL or a client', async () => {
    const both = await failure(
      createRedisJournal({ url: server.url, client: connect() } as unknown as { url: string }),
    );
    expect(both.code).toBe('INVALID_INPUT');
    const neither = await failure(createRedisJournal({} as { url: string }));
    expect(neither.code).toBe('INVALID_INPUT');
    const notUrl = await failure(createRedisJournal({ url: 'localhost:6379' }));
    expect(notUrl.message).toMatch(/redis:\/\//);
  });

  it('says which Redis it cannot reach, without the password', async () => {
    const error = await failure(createRedisJournal({ url: 'redis://:hunter2-secret@127.0.0.1:1' }));
    expect(error.code).toBe('TRANSIENT');
    expect(error.message).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('closes a connection it made, and leaves a client handed over open', async () => {
    const client = connect();
    const lent = await createRedisJournal({ client, prefix: `lent-${randomUUID()}:` });
    await lent.close();
    expect(await client.ping()).toBe('PONG');
    const own = await createRedisJournal({ url: server.url, prefix: `own-${randomUUID()}:` });
    await own.createCampaign(campaign(), []);
    await own.close();
    expect((await failure(own.getCampaign('c1'))).code).toBe('TRANSIENT');
  });
});

describe('RedisJournal: durability', () => {
  it('refuses a Redis that may lose acknowledged changes, naming each setting and its fix', async () => {
    const loose = await startRedisServer([
      '--appendonly',
      'no',
      '--appendfsync',
      'everysec',
      '--maxmemory-policy',
      'allkeys-lru',
    ]);
    try {
      const client = connect(loose.url);
      expect(await checkRedisDurability(client)).toMatchObject({
        safe: false,
        configReadable: true,
        problems: [
          { setting: 'appendonly', found: 'no', required: 'yes' },
          { setting: 'appendfsync', found: 'everysec', required: 'always' },
          { setting: 'maxmemory-policy', found: 'allkeys-lru', required: 'noeviction' },
        ],
      });
      const error = await failure(createRedisJournal({ url: loose.url }));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toContain('`appendonly yes`');
      expect(error.message).toContain('`appendfsync always`');
      expect(error.message).toContain('`maxmemory-policy noeviction`');
      expect(error.message).toContain('unsafe: true');
      expect(error.issues.map((issue) => issue.path)).toEqual([
        'redis.appendonly',
        'redis.appendfsync',
        'redis.maxmemory-policy',
      ]);
      // Nothing was written to the refused server.
      expect(await client.dbsize()).toBe(0);

      const logger = recordingLogger();
      const journal = await createRedisJournal({ url: loose.url, unsafe: true, logger });
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toMatch(/UNSAFE.*appendfsync/);
      await journal.createCampaign(campaign(), []);
      await journal.close();

      expect(await checkRedisDurability(connect())).toEqual({
        safe: true,
        configReadable: true,
        problems: [],
      });
    } finally {
      await loose.stop();
    }
  });

  it('requires unsafe when the server refuses CONFIG (managed Redis), and says why', async () => {
    const admin = connect();
    await admin.call(
      'ACL',
      'SETUSER',
      'limited',
      'on',
      '>limited-pass',
      '~*',
      '&*',
      '+@all',
      '-config',
    );
    const url = `redis://limited:limited-pass@127.0.0.1:${server.port}`;
    expect(await checkRedisDurability(connect(url))).toMatchObject({
      safe: false,
      configReadable: false,
    });
    const error = await failure(createRedisJournal({ url, prefix: `acl-${randomUUID()}:` }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/refuses CONFIG GET/);
    expect(error.message).toMatch(/unsafe: true/);
    expect(error.message).not.toContain('limited-pass');
    const logger = recordingLogger();
    const journal = await createRedisJournal({
      url,
      prefix: `acl-${randomUUID()}:`,
      unsafe: true,
      logger,
    });
    expect(logger.warnings[0]).toMatch(/cannot be checked/);
    await journal.createCampaign(campaign(), [delivery('a')]);
    expect(await journal.getDeliveries('c1')).toHaveLength(1);
    await journal.close();
  });

  it('comes back after SIGKILL from the append-only file with every acknowledged change', async () => {
    const crashing = await startRedisServer();
    try {
      const journal = await createRedisJournal({ url: crashing.url });
      const ids = Array.from({ length: 50 }, (_, index) => `d${index}`);
      await journal.createCampaign(
        campaign('c1', { statement: { headline: '应急通告' } }),
        ids.map((id) => delivery(id)),
      );
      await journal.claim(ids, 'lease-1');
      await journal.note('d0', 'publishId', '100000001');
      await journal.audit({ at: 't', actor: 'duty', action: 'publish', campaignId: 'c1' });
      await journal.updateCampaign('c1', { runner: { id: 'r', pid: 1, heartbeatAt: 't' } });

      // Changes keep coming; the server is killed while many are in flight. Every change
      // acknowledged before the kill must be there afterwards.
      const acknowledged: string[] = [];
      let killing: Promise<void> | undefined;
      let killStarted = (): void => undefined;
      const started = new Promise<void>((resolve) => (killStarted = resolve));
      const writes = ids.map(async (deliveryId) => {
        for (const [step, state] of (['sending', 'succeeded'] as const).entries()) {
          await journal.transition({
            deliveryId,
            state,
            at: `t${step}`,
            attempt: 1,
            lease: 'lease-1',
            ...(state === 'succeeded' ? { remoteId: `r-${deliveryId}` } : {}),
          });
          if (killing === undefined) acknowledged.push(`${deliveryId}:${state}`);
          if (acknowledged.length === 30 && killing === undefined) {
            killing = crashing.kill();
            killStarted();
          }
        }
      });
      await started;
      await killing;
      expect(acknowledged.length).toBeGreaterThanOrEqual(30);
      await crashing.restart();
      // The changes in flight at the kill are resent once the client reconnects.
      await Promise.allSettled(writes);

      const reader = await createRedisJournal({ client: connect(crashing.url) });
      const records = await reader.getDeliveries('c1');
      expect(records).toHaveLength(50);
      const stored = new Set(
        records.flatMap((record) =>
          record.history.map((change) => `${record.delivery.id}:${change.state}`),
        ),
      );
      for (const change of acknowledged) expect(stored).toContain(change);
      expect(records[0]?.notes).toEqual({ publishId: '100000001' });
      expect(await reader.getAudit('c1')).toHaveLength(1);
      expect(await reader.getCampaign('c1')).toMatchObject({
        statement: { headline: '应急通告' },
        runner: { id: 'r' },
      });
      expect(await reader.check()).toEqual([]);

      // The journal that saw the crash goes on writing, its scripts loaded again.
      await journal.addDeliveries('c1', [delivery('late')]);
      await journal.transition({ deliveryId: 'late', state: 'sending', at: 't9' });
      expect((await reader.getDeliveries('c1')).at(-1)?.state).toBe('sending');
      await journal.close();
    } finally {
      await crashing.stop();
    }
  });
});

describe('RedisJournal under a publisher', () => {
  it('runs campaigns, keeps them apart, resumes and retracts them', async () => {
    const adapter = createMemoryAdapter();
    const journal = await createRedisJournal({ client: connect(), prefix: `pub-${randomUUID()}:` });
    const publisher = createPublisher({
      hall: memoryHall(3),
      adapters: [adapter],
      credentials: testCredentials,
      retry: fastRetry,
      journal,
    });
    const first = await publisher.publish(rebuttal, { mode: 'original', campaignId: 'first' });
    expect(first.counts).toMatchObject({ total: 4, succeeded: 4 });
    // The same text again: the platform refuses it as a duplicate, and the journal says whose.
    const second = await publisher.publish(rebuttal, { mode: 'original', campaignId: 'second' });
    expect(second.counts).toMatchObject({ total: 4, failed: 4 });
    for (const delivery of second.deliveries) {
      expect(delivery).toMatchObject({ errorCode: 'DUPLICATE_CONTENT', duplicateOf: 'first' });
    }
    expect((await publisher.resume('first')).counts).toMatchObject({ succeeded: 4 });
    const retracted = await publisher.retract('first');
    expect(retracted.counts).toMatchObject({ removed: 4 });
    expect(adapter.posts.filter((post) => !post.deleted)).toHaveLength(0);
    const status = await publisher.status('first');
    expect(status.audit.map((entry) => entry.action)).toEqual(['publish', 'resume', 'retract']);
    expect(await journal.check()).toEqual([]);
  });
});

describe('RedisJournal: construction', () => {
  it('is a Journal made from a client as it is, with the default prefix', () => {
    const journal = new RedisJournal(connect());
    expect(journal.prefix).toBe('release-hall:');
    expect(journal.keys.delivery('x')).toBe('release-hall:delivery:x');
  });
});
