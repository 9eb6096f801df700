/**
 * Switching crisis mode of the WeChat callbacks while the service runs, behind the API key:
 *
 * - `GET /v1/crisis` (read): the mode now;
 * - `PUT /v1/crisis` `{"campaignId": "…"}` (control): default answers point to that campaign's
 *   latest statement; journaled as a `request` of the campaign;
 * - `DELETE /v1/crisis` (control): back to the menus' own answers.
 *
 * The mode is kept in memory: a restart needs `serve --crisis` again.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { Journal } from '../journal/journal.js';
import { parseBody } from './bodies.js';
import type { ApiRole, Permission } from './keys.js';
import { ProblemError, problem } from './problem.js';
import type { CrisisMode } from './wechat-crisis.js';

interface Caller {
  readonly id: string;
  readonly role: ApiRole;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
type AnyContext = Context<any>;

/** What the crisis routes use of the service. */
export interface CrisisRouteParts {
  readonly crisis: CrisisMode;
  readonly journal: Journal;
  /** The caller, if its role has `permission` (a 403 problem otherwise). */
  readonly allow: (context: AnyContext, permission: Permission) => Caller;
  /** Member ids whose callback is answered. */
  readonly members: readonly string[];
  readonly now: () => number;
}

const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `PUT /v1/crisis`. */
export const crisisBody = z.strictObject({
  campaignId: z
    .string()
    .regex(CAMPAIGN_ID, 'expected a campaign id as `release-hall list` shows it'),
});

async function view(parts: CrisisRouteParts): Promise<Record<string, unknown>> {
  const state = parts.crisis.state;
  if (state === undefined) return { mode: 'normal', accounts: parts.members.length };
  const statement = await parts.crisis.statement();
  return {
    mode: 'crisis',
    campaignId: state.campaignId,
    since: state.since,
    by: state.by,
    accounts: parts.members.length,
    ...(statement === undefined
      ? {}
      : {
          statement: {
            campaignId: statement.campaignId,
            headline: statement.headline,
            ...(statement.link === undefined ? {} : { link: statement.link }),
          },
        }),
  };
}

async function journalRequest(
  parts: CrisisRouteParts,
  caller: Caller,
  context: AnyContext,
  campaignId: string,
): Promise<void> {
  await parts.journal.audit({
    at: new Date(parts.now()).toISOString(),
    actor: `api:${caller.id}`,
    action: 'request',
    campaignId,
    detail: { method: context.req.method, route: context.req.routePath },
  });
}

/** Registers the crisis routes on the service's app (behind its API key check). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
export function registerCrisisRoutes(app: Hono<any>, parts: CrisisRouteParts): void {
  app.get('/v1/crisis', async (context: AnyContext) => {
    parts.allow(context, 'read');
    return context.json(await view(parts));
  });

  app.put('/v1/crisis', async (context: AnyContext) => {
    const caller = parts.allow(context, 'control');
    const body = parseBody(await context.req.text(), crisisBody);
    if ((await parts.journal.getCampaign(body.campaignId)) === undefined) {
      throw new ProblemError(
        problem(404, 'unknown-campaign', `no campaign "${body.campaignId}" in the journal`),
      );
    }
    await journalRequest(parts, caller, context, body.campaignId);
    parts.crisis.set({
      campaignId: body.campaignId,
      since: new Date(parts.now()).toISOString(),
      by: `api:${caller.id}`,
    });
    return context.json(await view(parts));
  });

  app.delete('/v1/crisis', async (context: AnyContext) => {
    const caller = parts.allow(context, 'control');
    const state = parts.crisis.state;
    if (state !== undefined) await journalRequest(parts, caller, context, state.campaignId);
    parts.crisis.clear();
    return context.json(await view(parts));
  });
}
