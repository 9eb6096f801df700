/**
 * The HTTP service on loopback for tests: the Beijing hall's Weibo accounts on the sandbox, a
 * SQLite journal, four API keys (one per role), and plain-fetch helpers.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type Publisher, createCredentialsResolver, createPublisher } from 'release-hall';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { SqliteJournal } from 'release-hall/journal/sqlite';
import { type HallSandbox, startHallSandbox } from 'release-hall/sandbox';
import {
  type RunningService,
  type StartServiceOptions,
  resolveApiKeys,
  startService,
} from 'release-hall/service';
import { fastRetry } from './fixtures.js';
import { beijingHall } from './beijing.js';

export const SECRETS = {
  viewer: 'viewer-secret-0123456789abcdef',
  editor: 'editor-secret-0123456789abcdef',
  operator: 'operator-secret-0123456789abcdef',
  approver: 'approver-secret-0123456789abcdef',
};

export interface Setup {
  readonly sandbox: HallSandbox;
  readonly journal: SqliteJournal;
  readonly service: RunningService;
  /** What the service was started with, to start another over the same journal and keys. */
  readonly publisher: (actor: string) => Publisher;
  readonly keys: StartServiceOptions['keys'];
}

/** Service options a test may set (the rest come from the setup). */
export type ExtraServiceOptions = Partial<Omit<StartServiceOptions, 'publisher' | 'keys' | 'port'>>;

/** Starts the sandbox, the journal and the service; `hallChanges` edits the hall first. */
export async function setup(
  hallChanges: (hall: Record<string, unknown>) => void = () => undefined,
  serviceOptions: ExtraServiceOptions = {},
): Promise<Setup> {
  const hall = (await beijingHall()) as Record<string, unknown>;
  hall.api = {
    keys: (['viewer', 'editor', 'operator', 'approver'] as const).map((role) => ({
      id: `cms-${role}`,
      role,
      credentials: `api-${role}`,
    })),
  };
  hallChanges(hall);
  const sandbox = await startHallSandbox(hall, { weibo: { latency: { fixedMs: 1 } } });
  const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'rh-service-')), 'j.db'));
  const env = Object.fromEntries(
    Object.entries(SECRETS).map(([role, secret]) => [
      `RELEASE_HALL_CRED_API_${role.toUpperCase()}__KEY`,
      secret,
    ]),
  );
  const keys = await resolveApiKeys(
    hall.api as Parameters<typeof resolveApiKeys>[0],
    createCredentialsResolver({ env }),
  );
  const publisher = (actor: string): Publisher =>
    createPublisher({
      hall,
      adapters: [
        createWeiboAdapter({
          baseURL: sandbox.baseURLs.weibo,
          rip: '203.0.113.10',
          limits: { requestTimeoutMs: 1_000 },
        }),
      ],
      credentials: sandbox.credentials,
      journal,
      actor,
      sandbox: true,
      retry: fastRetry,
      pausePollMs: 5,
    });
  const service = await startService({ ...serviceOptions, publisher, keys, port: 0 });
  return { sandbox, journal, service, publisher, keys };
}

export async function teardown(value: Setup | undefined): Promise<void> {
  await value?.service.close();
  await value?.journal.close();
  await value?.sandbox.close();
}

export function call(
  service: RunningService,
  method: string,
  path: string,
  options: { key?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return fetch(`${service.url}${path}`, {
    method,
    headers: {
      ...(options.key === undefined ? {} : { authorization: `Bearer ${options.key}` }),
      ...(options.body === undefined && options.raw === undefined
        ? {}
        : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body === undefined
        ? {}
        : { body: JSON.stringify(options.body) }),
  });
}

export async function expectProblem(
  response: Response,
  status: number,
): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body.status).toBe(status);
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  expect(body.type).toMatch(/^https:\/\//);
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/\n\s+at /);
  for (const secret of Object.values(SECRETS)) expect(text).not.toContain(secret);
  return body;
}

export async function settled(
  service: RunningService,
  id: string,
): Promise<Record<string, unknown>> {
  for (;;) {
    const response = await call(service, 'GET', `/v1/campaigns/${id}`, { key: SECRETS.viewer });
    const status = (await response.json()) as {
      campaign: { state: string };
      counts: { pending: number };
    };
    if (status.campaign.state !== 'running' && status.counts.pending === 0) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
