/**
 * `POST /v1/preview?format=html`: the same body and roles as the JSON preview, answered with the
 * preview page: a card per account, the statement's text escaped, the hall's approval rule, and
 * a policy that lets the page load nothing. Nothing is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApproverKey, readDataFile } from 'release-hall';
import type { RunningService } from 'release-hall/service';
import { statementPath } from '../helpers/beijing.js';
import { SECRETS, type Setup, call, expectProblem, setup, teardown } from '../helpers/service.js';

const HOSTILE = '<script>alert("x")</script>';

describe('POST /v1/preview?format=html', () => {
  let setupValue: Setup | undefined;
  let statement: Record<string, unknown>;
  beforeAll(async () => {
    setupValue = await setup((hall) => {
      hall.approvals = {
        approvers: ['li-si', 'wang-wu'].map((id) => ({
          id,
          name: id,
          publicKey: generateApproverKey().publicKey,
        })),
        policy: { routine: 2, urgent: 2, crisis: 1 },
      };
    });
    const written = (await readDataFile(statementPath, 'statement')) as Record<string, unknown>;
    statement = {
      ...written,
      advice: `小伙伴们${HOSTILE}${String(written.advice)}`,
      images: [],
    };
  });
  afterAll(async () => {
    await teardown(setupValue);
  });
  const service = (): RunningService => setupValue!.service;

  it('answers the page as text/html for an editor: a card per account, the text escaped', async () => {
    const response = await call(service(), 'POST', '/v1/preview?format=html', {
      key: SECRETS.editor,
      body: { statement, mode: 'relay' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html; ?charset=utf-8$/i);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await response.text();
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.match(/<article /g)).toHaveLength(72);
    expect(page).toContain('data-account="beijing-fabu/weibo"');
    expect(page).toMatch(/data-count="\d+" data-limit="140"/);
    expect(page).not.toContain(HOSTILE);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(page).toMatch(/<mark class="lint lint-warning" data-rule="discouraged-phrase"/);
    expect(page).toContain('approvals: 2 required (urgency urgent), checked when the campaign');
    expect(page).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(setupValue!.sandbox.weibo.platform.requests()).toHaveLength(0);
  });

  it('keeps the JSON preview as it was, with or without format=json', async () => {
    for (const path of ['/v1/preview', '/v1/preview?format=json']) {
      const response = await call(service(), 'POST', path, {
        key: SECRETS.editor,
        body: { statement },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(((await response.json()) as { deliveries: unknown[] }).deliveries).toHaveLength(72);
    }
  });

  it('refuses as the JSON preview does: roles, a bad body, an unknown format', async () => {
    for (const key of [SECRETS.viewer, SECRETS.approver]) {
      await expectProblem(
        await call(service(), 'POST', '/v1/preview?format=html', { key, body: { statement } }),
        403,
      );
    }
    await expectProblem(
      await call(service(), 'POST', '/v1/preview?format=html', { body: { statement } }),
      401,
    );
    await expectProblem(
      await call(service(), 'POST', '/v1/preview?format=html', {
        key: SECRETS.editor,
        raw: '{"statement":',
      }),
      400,
    );
    const unknown = await expectProblem(
      await call(service(), 'POST', '/v1/preview?format=xml', {
        key: SECRETS.editor,
        body: { statement },
      }),
      400,
    );
    expect(unknown.detail).toContain('"html"');
  });
});
