/**
 * The publish gate over HTTP: the digest approvers sign, a follow-up campaign (idempotent like a
 * campaign), and the review of a campaign sent on few approvals. Private keys never reach the
 * service: approvers sign on their own machine (`release-hall approve`, `approveStatement`) and
 * the CMS passes their approvals.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { ReleaseHallError } from '../errors.js';
import type { Approval } from '../gate/approvals.js';
import type { StatementInput } from '../model/statement.js';
import type { CampaignOptions, Publisher } from '../publisher/create-publisher.js';
import { parseBody, previewBody } from './bodies.js';
import { type CampaignStarts, startOnce } from './campaign-starts.js';
import { IDEMPOTENCY_KEY_PATTERN, bodyHashOf, campaignIdFor } from './idempotency.js';
import { type ApiRole, type Permission, ROLE_PERMISSIONS } from './keys.js';
import { ProblemError, problem, problemOf } from './problem.js';

interface Caller {
  readonly id: string;
  readonly role: ApiRole;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
type AnyContext = Context<any>;

/** What the gate routes use of the service's app. */
export interface GateRouteParts {
  /** The caller, if its role has `permission` (a 403 problem otherwise). */
  readonly allow: (context: AnyContext, permission: Permission) => Caller;
  readonly publisherOf: (caller: Caller) => Publisher;
  /** Journals the request (a `request` entry of the campaign). */
  readonly audit: (
    publisher: Publisher,
    caller: Caller,
    context: AnyContext,
    campaignId: string,
    detail?: Record<string, unknown>,
  ) => Promise<void>;
  /** The campaign's record, or a 404 problem. */
  readonly campaignOf: (publisher: Publisher, id: string) => Promise<unknown>;
  /** The 202 answer naming a campaign. */
  readonly accepted: (
    context: AnyContext,
    publisher: Publisher,
    campaignId: string,
  ) => Promise<Response>;
  readonly starts: CampaignStarts;
  /** Starts in flight, by `<campaign id> <body hash>`. */
  readonly pending: Map<string, Promise<Response>>;
}

/** `POST /v1/approvals/digest`. */
export const digestBody = previewBody.extend({
  followUpOf: z.string().min(1).optional(),
});

const gate = z.record(z.string(), z.unknown());

/** `POST /v1/campaigns/{id}/follow-up`. */
export const followUpBody = z.strictObject({
  statement: previewBody.shape.statement,
  gate: gate.optional(),
});

/** `POST /v1/campaigns/{id}/review`. */
export const reviewBody = z.strictObject({
  approval: z.strictObject({
    v: z.literal(1),
    approver: z.string().min(1),
    digest: z.string().min(1),
    signedAt: z.string().min(1),
    signature: z.string().min(1),
  }),
});

function campaignOptions(body: {
  selection?: Record<string, unknown> | undefined;
  mode?: 'relay' | 'original' | undefined;
  push?: Record<string, unknown> | undefined;
}): CampaignOptions {
  return {
    ...(body.selection === undefined ? {} : { selection: body.selection }),
    ...(body.mode === undefined ? {} : { mode: body.mode }),
    ...(body.push === undefined ? {} : { push: body.push }),
  };
}

function idempotencyKeyOf(context: AnyContext): string {
  const key = context.req.header('idempotency-key');
  if (key === undefined || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new ProblemError(
      problem(
        400,
        'idempotency-key',
        'send an "Idempotency-Key" header of 1 to 200 visible ASCII characters',
        [
          {
            path: 'Idempotency-Key',
            message: key === undefined ? 'missing' : 'not 1 to 200 visible ASCII characters',
          },
        ],
      ),
    );
  }
  return key;
}

/**
 * Registers `POST /v1/approvals/digest` (editor or approver), `POST /v1/campaigns/{id}/follow-up`
 * (operator) and `POST /v1/campaigns/{id}/review` (approver).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's own env type
export function registerGateRoutes(app: Hono<any>, parts: GateRouteParts): void {
  const { allow, publisherOf, audit, campaignOf, accepted, starts, pending } = parts;

  app.post('/v1/approvals/digest', async (context) => {
    // An editor prepares what is to be signed; an approver may check it before signing.
    const role = (context.get('caller') as Caller).role;
    const caller = allow(context, ROLE_PERMISSIONS[role].has('approve') ? 'approve' : 'preview');
    const body = parseBody(await context.req.text(), digestBody);
    const publisher = publisherOf(caller);
    if (body.followUpOf !== undefined) await campaignOf(publisher, body.followUpOf);
    try {
      const digest = await publisher.approvalDigest(body.statement as StatementInput, {
        ...campaignOptions(body),
        ...(body.followUpOf === undefined ? {} : { followUpOf: body.followUpOf }),
      });
      return context.json({ digest });
    } catch (error) {
      throw new ProblemError(problemOf(error, 400));
    }
  });

  app.post('/v1/campaigns/:id/follow-up', async (context) => {
    const caller = allow(context, 'publish');
    const idempotencyKey = idempotencyKeyOf(context);
    const body = parseBody(await context.req.text(), followUpBody);
    const publisher = publisherOf(caller);
    const original = context.req.param('id');
    await campaignOf(publisher, original);
    // The same key space as `POST /v1/campaigns`: the route's campaign is part of the hash.
    const campaignId = campaignIdFor(caller.id, idempotencyKey);
    const bodyHash = bodyHashOf({ followUpOf: original, ...body });
    return startOnce({
      pending,
      starts,
      publisher,
      campaignId,
      bodyHash,
      record: () =>
        audit(publisher, caller, context, campaignId, {
          idempotencyKey,
          bodyHash,
          followUpOf: original,
        }),
      run: () =>
        publisher.followUp(original, body.statement as StatementInput, {
          ...(body.gate === undefined ? {} : { gate: body.gate }),
          campaignId,
          signal: starts.signal,
          reportDeliveries: 'none',
        }),
      accepted: () => accepted(context, publisher, campaignId),
    });
  });

  // An approver's signature over a campaign that already exists (its review): `/approve` and
  // `/review` are the same call.
  for (const path of ['/v1/campaigns/:id/review', '/v1/campaigns/:id/approve'] as const) {
    app.post(path, async (context) => {
      const caller = allow(context, 'approve');
      const body = parseBody(await context.req.text(), reviewBody);
      const publisher = publisherOf(caller);
      const id = context.req.param('id');
      await campaignOf(publisher, id);
      await audit(publisher, caller, context, id, { approver: body.approval.approver });
      try {
        return context.json(await publisher.review(id, body.approval as Approval));
      } catch (error) {
        if (ReleaseHallError.isInstance(error) && error.code === 'INVALID_INPUT') {
          const refused = problemOf(error, 400);
          throw new ProblemError(
            problem(422, 'review-refused', refused.detail, refused.issues ?? []),
          );
        }
        throw new ProblemError(problemOf(error, 409));
      }
    });
  }
}
