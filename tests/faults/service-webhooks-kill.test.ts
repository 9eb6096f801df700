/**
 * Webhook events survive a killed service: `release-hall serve` runs as a child process while
 * the receiver answers 503, so the events stay owed in the SQLite journal; the service is killed
 * with SIGKILL and started again on the same journal with the receiver up, and every owed event
 * arrives, each under the id it was first sent with, accepted once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDataFile } from 'release-hall';
import { verifyWebhook } from 'release-hall/webhooks';
import { beijingHall, statementPath } from '../helpers/beijing.js';
import { root } from '../helpers/cli.js';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const operatorKey = 'operator-secret-0123456789abcdef';
const children: ChildProcess[] = [];

function startServe(
  hallFile: string,
  journal: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      join(root, 'src/cli/main.ts'),
      'serve',
      '--hall',
      hallFile,
      '--journal',
      journal,
      '--sandbox',
      '--port',
      '0',
    ],
    {
      cwd: root,
      env: {
        ...process.env,
        RELEASE_HALL_CRED_API_OPERATOR__KEY: operatorKey,
        RELEASE_HALL_CRED_CMS_HOOK__SECRET: secret,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ child, url: match[1]! });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${String(code)}`)));
  });
}

async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting: ${check.toString().slice(0, 200)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('webhooks across a SIGKILL of the service', () => {
  // Skipped: the owed events are not seen delivered within the wait yet; under investigation.
  it('delivers every owed event after the restart, each id accepted once', async () => {
    let up = false;
    const refused = new Set<string>();
    const accepted: string[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const event = verifyWebhook({ secret, headers: request.headers, body });
        if (!up) {
          refused.add(event.id);
          response.writeHead(503).end();
          return;
        }
        // Dedupe by webhook-id, as a receiver should.
        if (!accepted.includes(event.id)) accepted.push(event.id);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as AddressInfo;

    const dir = mkdtempSync(join(tmpdir(), 'rh-webhooks-kill-'));
    const hall = (await beijingHall()) as Record<string, unknown>;
    hall.api = { keys: [{ id: 'cms-operator', role: 'operator', credentials: 'api-operator' }] };
    hall.webhooks = [
      {
        id: 'cms',
        url: `http://127.0.0.1:${port}/hooks`,
        events: ['campaign.settled', 'delivery.failed'],
        secret: 'cms-hook',
        retry: { firstDelayMs: 20, maxDelayMs: 100 },
      },
    ];
    const hallFile = join(dir, 'hall.json');
    writeFileSync(hallFile, JSON.stringify(hall));
    const journal = join(dir, 'journal.db');
    const statement = await readDataFile(statementPath, 'statement');

    const first = await startServe(hallFile, journal);
    for (const key of ['kill-1', 'kill-2']) {
      const created = await fetch(`${first.url}/v1/campaigns`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${operatorKey}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify({
          statement,
          selection: { members: ['beijing-fabu'], platforms: ['weibo'] },
        }),
      });
      expect(created.status).toBe(202);
    }
    let owed: string[] = [];
    await until(async () => {
      const listing = await fetch(`${first.url}/v1/webhooks`, {
        headers: { authorization: `Bearer ${operatorKey}` },
      });
      const body = (await listing.json()) as {
        events: { id: string; status: string; type: string }[];
      };
      owed = body.events.filter((event) => event.status === 'pending').map((event) => event.id);
      // Both campaigns settled (the second one's post is refused as a duplicate: one
      // delivery.failed more), and every owed event was offered and refused at least once.
      const settled = body.events.filter((event) => event.type === 'campaign.settled').length;
      return (
        settled === 2 && owed.length === body.events.length && owed.every((id) => refused.has(id))
      );
    });
    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    up = true;
    const second = await startServe(hallFile, journal);
    await until(() => owed.every((id) => accepted.includes(id)));
    expect(owed.length).toBeGreaterThanOrEqual(2);
    expect([...accepted].sort()).toEqual([...owed].sort());
    second.child.kill('SIGTERM');
    await new Promise((resolve) => second.child.once('exit', resolve));
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }, 60_000);
});
