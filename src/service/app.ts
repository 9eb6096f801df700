/**
 * The HTTP service for CMS backends: a Hono app over one hall's publisher. Each API key acts as
 * its own publisher (actor `api:<key id>`) over the shared journal, so every entry of the audit
 * trail names the key that caused it; the service also journals each mutating request itself
 * (a `request` entry with the route and, for a campaign, the body's hash).
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { CampaignOptions } from '../publisher/options.js';
import type { Publisher } from '../publisher/create-publisher.js';
import { listCampaigns } from '../publisher/status.js';
import type { StatementInput } from '../model/statement.js';
import { approvalRule } from '../gate/policy.js';
import { PREVIEW_PAGE_POLICY, renderPreviewPage } from '../render/preview-page.js';
import { campaignBody, parseBody, pauseBody, previewBody, resumeBody } from './bodies.js';
import { CampaignStarts, startOnce } from './campaign-starts.js';
import { IDEMPOTENCY_KEY_PATTERN, bodyHashOf, campaignIdFor } from './idempotency.js';
import {
  type ApiKey,
  type ApiRole,
  KeyRing,
  type Permission,
  ROLE_PERMISSIONS,
  bearerSecret,
} from './keys.js';
import { METRICS_CONTENT_TYPE, createMetrics } from './metrics.js';
import { ProblemError, problem, problemOf, problemResponse } from './problem.js';
import { type CampaignEventsOptions, streamCampaignEvents } from './events.js';
import { registerGateRoutes } from './gate-routes.js';
import { type WechatServiceOptions, registerWechatCallbacks } from './wechat-callbacks.js';
import { registerCrisisRoutes } from './wechat-crisis-routes.js';

/** The default largest request body: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Options of {@link createServiceApp}. */
export interface ServiceOptions {
  /**
   * Makes the publisher one caller acts through: the hall's adapters, credentials and the one
   * shared journal, with `actor` (`api:<key id>`) as its actor. Called once per key.
   */
  readonly publisher: (actor: string) => Publisher;
  /** The API keys with their secrets (see `resolveApiKeys`). */
  readonly keys: readonly ApiKey[];
  /** The largest request body in bytes. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** How often `GET /v1/campaigns/{id}/events` reads the journal, and sends a keep-alive. */
  readonly events?: CampaignEventsOptions;
  /** Receives a line about a background run that failed. @default nothing */
  readonly log?: (message: string) => void;
  /** Serves `GET /metrics` without a key (it needs a viewer key otherwise). @default false */
  readonly publicMetrics?: boolean;
  /**
   * Answers the WeChat callbacks of the hall on `/wechat/<member id>` (no API key: WeChat signs
   * them), with crisis mode switched on `/v1/crisis` (docs/wechat-service.md).
   */
  readonly wechat?: WechatServiceOptions;
}

/** The service's Hono app, and how to stop the campaigns it runs in the background. */
export type ServiceApp = Hono<ServiceEnv> & {
  /**
   * Stops the background runs cleanly and waits for them (they can be resumed later), and for the
   * late WeChat answers under way.
   */
  readonly drain: () => Promise<void>;
};

interface Caller {
  readonly id: string;
  readonly role: ApiRole;
}

interface ServiceEnv {
  Variables: { caller: Caller };
}

type ServiceContext = Context<ServiceEnv>;

/** Campaign ids as the journal takes them. */
const CAMPAIGN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

function allow(context: ServiceContext, permission: Permission): Caller {
  const caller = context.get('caller');
  if (!ROLE_PERMISSIONS[caller.role].has(permission)) {
    throw new ProblemError(
      problem(403, 'forbidden', `API key "${caller.id}" (${caller.role}) may not ${permission}`),
    );
  }
  return caller;
}

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

/**
 * Creates the service's app. Routes: `GET /healthz`, `GET /metrics`; under `/v1` (a bearer key):
 * preview, campaigns (create with an `Idempotency-Key`, list, status, events), pause, resume, retract,
 * and the gate's routes (approval digest, follow-up, review: see `gate-routes.ts`). With `wechat`:
 * the WeChat callbacks on `/wechat/<member id>` and `GET|PUT|DELETE /v1/crisis`.
 */
export function createServiceApp(options: ServiceOptions): ServiceApp {
  const ring = new KeyRing(options.keys);
  const metrics = createMetrics();
  /** Reads the journal for `/metrics`; it never writes. */
  let metricsReader: Publisher | undefined;
  const publishers = new Map<string, Publisher>();
  const publisherOf = (caller: Caller): Publisher => {
    let publisher = publishers.get(caller.id);
    if (publisher === undefined) {
      publisher = options.publisher(`api:${caller.id}`);
      metrics.observePublisher(publisher);
      publishers.set(caller.id, publisher);
    }
    return publisher;
  };
  const log = options.log ?? (() => undefined);
  const starts = new CampaignStarts((campaignId, error) => {
    log(`campaign ${campaignId}: the background run failed: ${problemOf(error).detail}`);
  });
  /** Starts of campaigns in flight, by campaign id and body hash. */
  const pending = new Map<string, Promise<Response>>();
  const app = new Hono<ServiceEnv>();

  app.onError((error) => problemResponse(problemOf(error)));
  app.notFound((context) =>
    problemResponse(
      problem(404, 'not-found', `no route ${context.req.method} ${context.req.path}`),
    ),
  );

  app.use('*', async (context, next) => {
    await next();
    const { method, routePath: route } = context.req;
    metrics.observeRequest({ method, route, status: context.res.status });
  });

  app.get('/healthz', (context) => context.json({ status: 'ok' }));

  // Before the key check of /v1: WeChat signs these requests, it sends no API key.
  const wechatReader =
    options.wechat === undefined ? undefined : options.publisher('service:wechat');
  const wechat =
    options.wechat === undefined || wechatReader === undefined
      ? undefined
      : registerWechatCallbacks(app, options.wechat, {
          journal: wechatReader.journal,
          hall: wechatReader.hall,
          log,
        });

  const authenticate: MiddlewareHandler<ServiceEnv> = async (context, next) => {
    const secret = bearerSecret(context.req.header('authorization'));
    const caller = secret === undefined ? undefined : ring.find(secret);
    if (caller === undefined) {
      return problemResponse(
        problem(
          401,
          'unauthorized',
          secret === undefined
            ? 'send an API key as "Authorization: Bearer <key>"'
            : 'the API key is not known',
        ),
        { 'www-authenticate': 'Bearer realm="release-hall"' },
      );
    }
    context.set('caller', caller);
    await next();
  };
  if (options.publicMetrics !== true) app.use('/metrics', authenticate);
  app.get('/metrics', async (context) => {
    if (options.publicMetrics !== true) allow(context, 'read');
    metricsReader ??= options.publisher('service:metrics');
    const campaigns = await metricsReader.journal.listCampaigns();
    const campaignsRunning = campaigns.filter((campaign) => campaign.state === 'running').length;
    return context.body(metrics.render({ campaignsRunning }), 200, {
      'content-type': METRICS_CONTENT_TYPE,
    });
  });

  app.use('/v1/*', authenticate);
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      onError: () =>
        problemResponse(
          problem(
            413,
            'too-large',
            `the request body is over ${options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`,
          ),
          // The rest of the body is not read: the connection cannot carry another request.
          { connection: 'close' },
        ),
    }),
  );

  const audit = async (
    publisher: Publisher,
    caller: Caller,
    context: ServiceContext,
    campaignId: string,
    detail: Record<string, unknown> = {},
  ): Promise<void> => {
    await publisher.journal.audit({
      at: new Date().toISOString(),
      actor: `api:${caller.id}`,
      action: 'request',
      campaignId,
      detail: { method: context.req.method, route: context.req.routePath, ...detail },
    });
  };

  /** The campaign of a route, or a 404 problem. */
  const campaignOf = async (publisher: Publisher, id: string) => {
    const record = CAMPAIGN_ID.test(id) ? await publisher.journal.getCampaign(id) : undefined;
    if (record === undefined) {
      throw new ProblemError(
        problem(404, 'unknown-campaign', `no campaign "${id}" in the journal`),
      );
    }
    return record;
  };

  const accepted = async (context: ServiceContext, publisher: Publisher, campaignId: string) => {
    const record = await publisher.journal.getCampaign(campaignId);
    return context.json({ campaignId, status: record?.state ?? 'accepted' }, 202, {
      location: `/v1/campaigns/${campaignId}`,
    });
  };

  app.post('/v1/preview', async (context) => {
    const caller = allow(context, 'preview');
    const format = context.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'html') {
      throw new ProblemError(
        problem(400, 'format', `format is "json" (the default) or "html", not "${format}"`),
      );
    }
    const body = parseBody(await context.req.text(), previewBody);
    const publisher = publisherOf(caller);
    let preview: Awaited<ReturnType<Publisher['preview']>>;
    try {
      preview = await publisher.preview(body.statement as StatementInput, campaignOptions(body));
    } catch (error) {
      throw new ProblemError(problemOf(error, 400));
    }
    if (format === 'json') return context.json(preview);
    // The page: the hall's approval rule for this urgency (approvals come with the campaign);
    // pictures stay placeholders, since the service reads no file a request names.
    const settings = publisher.hall.hall.approvals;
    const written = (body.statement as { urgency?: unknown }).urgency;
    const urgency = written === 'urgent' || written === 'crisis' ? written : 'routine';
    const rule = settings === undefined ? { approvals: 0 } : approvalRule(settings, urgency);
    const page = renderPreviewPage(preview, {
      approval: {
        required: rule.approvals,
        urgency,
        ...(rule.reviewWithinHours === undefined
          ? {}
          : { reviewWithinHours: rule.reviewWithinHours }),
      },
    });
    return context.html(page, 200, { 'content-security-policy': PREVIEW_PAGE_POLICY });
  });

  app.post('/v1/campaigns', async (context) => {
    const idempotencyKey = context.req.header('idempotency-key');
    const body = parseBody(await context.req.text(), campaignBody);
    const caller = allow(context, body.dryRun === true ? 'dry-run' : 'publish');
    if (idempotencyKey === undefined || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
      throw new ProblemError(
        problem(
          400,
          'idempotency-key',
          'send an "Idempotency-Key" header of 1 to 200 visible ASCII characters',
          [
            {
              path: 'Idempotency-Key',
              message:
                idempotencyKey === undefined ? 'missing' : 'not 1 to 200 visible ASCII characters',
            },
          ],
        ),
      );
    }
    const publisher = publisherOf(caller);
    const campaign: CampaignOptions = {
      ...campaignOptions(body),
      ...(body.gate === undefined ? {} : { gate: body.gate }),
    };
    if (body.dryRun === true) {
      // A dry run records nothing: answered at once, the same for the same body.
      try {
        const report = await publisher.publish(body.statement as StatementInput, {
          ...campaign,
          dryRun: true,
        });
        return context.json(report);
      } catch (error) {
        throw new ProblemError(problemOf(error, 400));
      }
    }
    const campaignId = campaignIdFor(caller.id, idempotencyKey);
    const bodyHash = bodyHashOf(body);
    return startOnce({
      pending,
      starts,
      publisher,
      campaignId,
      bodyHash,
      record: () => audit(publisher, caller, context, campaignId, { idempotencyKey, bodyHash }),
      run: () =>
        publisher.publish(body.statement as StatementInput, {
          ...campaign,
          campaignId,
          signal: starts.signal,
          reportDeliveries: 'none',
        }),
      accepted: () => accepted(context, publisher, campaignId),
    });
  });

  app.get('/v1/campaigns', async (context) => {
    const caller = allow(context, 'read');
    const summaries = await listCampaigns(publisherOf(caller).journal);
    return context.json({
      campaigns: summaries.map(({ campaign, counts }) => ({
        id: campaign.id,
        hallId: campaign.hallId,
        statementId: campaign.statementId,
        mode: campaign.mode,
        state: campaign.state,
        createdAt: campaign.createdAt,
        sandbox: campaign.sandbox === true,
        paused: campaign.pause !== undefined,
        counts,
      })),
    });
  });

  app.get('/v1/campaigns/:id', async (context) => {
    const caller = allow(context, 'read');
    const publisher = publisherOf(caller);
    await campaignOf(publisher, context.req.param('id'));
    return context.json(await publisher.status(context.req.param('id')));
  });

  app.get('/v1/campaigns/:id/events', async (context) => {
    const publisher = publisherOf(allow(context, 'read'));
    const id = context.req.param('id');
    await campaignOf(publisher, id);
    return streamCampaignEvents(context, publisher.journal, id, options.events);
  });

  app.post('/v1/campaigns/:id/pause', async (context) => {
    const caller = allow(context, 'control');
    const body = parseBody(await context.req.text(), pauseBody);
    const publisher = publisherOf(caller);
    const id = context.req.param('id');
    await campaignOf(publisher, id);
    await audit(publisher, caller, context, id);
    try {
      await publisher.pause(id, {
        reason: body.reason,
        ...(body.groups === undefined ? {} : { groups: body.groups }),
      });
    } catch (error) {
      throw new ProblemError(problemOf(error, 409));
    }
    const record = await publisher.journal.getCampaign(id);
    return context.json({ campaignId: id, status: record?.state, pause: record?.pause });
  });

  app.post('/v1/campaigns/:id/resume', async (context) => {
    const caller = allow(context, 'control');
    const body = parseBody(await context.req.text(), resumeBody, { optional: true });
    const publisher = publisherOf(caller);
    const id = context.req.param('id');
    await campaignOf(publisher, id);
    await audit(publisher, caller, context, id);
    try {
      await starts.start(
        publisher,
        id,
        () =>
          publisher.resume(id, {
            signal: starts.signal,
            reportDeliveries: 'none',
            ...(body.retryFailed === undefined ? {} : { retryFailed: body.retryFailed }),
            ...(body.force === undefined ? {} : { force: body.force }),
          }),
        // A run of this service goes on by itself once the pause is lifted.
        async () =>
          starts.running(id) && (await publisher.journal.getCampaign(id))?.pause === undefined,
      );
    } catch (error) {
      throw new ProblemError(problemOf(error, 409));
    }
    return accepted(context, publisher, id);
  });

  app.post('/v1/campaigns/:id/retract', async (context) => {
    const caller = allow(context, 'control');
    const publisher = publisherOf(caller);
    const id = context.req.param('id');
    await campaignOf(publisher, id);
    await audit(publisher, caller, context, id);
    try {
      return context.json(await publisher.retract(id));
    } catch (error) {
      throw new ProblemError(problemOf(error, 409));
    }
  });

  registerGateRoutes(app, { allow, publisherOf, audit, campaignOf, accepted, starts, pending });
  if (wechat !== undefined && wechatReader !== undefined) {
    registerCrisisRoutes(app, {
      crisis: wechat.crisis,
      journal: wechatReader.journal,
      allow,
      members: wechat.members,
      now: options.wechat?.now ?? Date.now,
    });
  }

  return Object.assign(app, {
    drain: async () => {
      await starts.close();
      await wechat?.drain();
    },
  });
}
