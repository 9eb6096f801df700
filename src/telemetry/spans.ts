/**
 * release-hall's three spans, each wrapped around work that already exists:
 *
 * - `release-hall.campaign`: one run of a campaign (publish, resume, follow-up, retract);
 * - `release-hall.delivery`: one delivery taken up by that run (its child);
 * - `release-hall.request`: one HTTP request an adapter makes for it (the delivery's child).
 *
 * Attributes name things by id and say how they ended; none holds a secret (tokens, app
 * secrets, keys, query strings) or a statement's text. Without a tracer each function only runs
 * its work.
 */
import { activeTracer, inSpan } from './tracer.js';

/** The kind of run a campaign span covers. */
export type CampaignOperation = 'publish' | 'resume' | 'follow-up' | 'retract';

/** What a campaign span names. */
export interface CampaignSubject {
  readonly id: string;
  readonly hallId?: string | undefined;
  readonly mode?: string | undefined;
}

/** What a campaign span reads from the end of its run. */
export interface CampaignEnding {
  /** Deliveries by how they ended (each number becomes `release_hall.deliveries.<name>`). */
  readonly counts?: object;
  readonly aborted?: boolean;
}

/** Runs one campaign run in a `release-hall.campaign` span. */
export function traceCampaign<T extends CampaignEnding>(
  operation: CampaignOperation,
  campaign: CampaignSubject,
  work: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return work();
  return inSpan(
    tracer,
    'release-hall.campaign',
    {
      'release_hall.operation': operation,
      'release_hall.campaign_id': campaign.id,
      'release_hall.hall': campaign.hallId,
      'release_hall.mode': campaign.mode,
    },
    async (span) => {
      const ending = await work();
      const attributes: Record<string, number | boolean | undefined> = {
        'release_hall.aborted': ending.aborted,
      };
      for (const [name, value] of Object.entries(ending.counts ?? {})) {
        if (typeof value === 'number') attributes[`release_hall.deliveries.${name}`] = value;
      }
      span?.set(attributes);
      return ending;
    },
  );
}

/** What a delivery span names. */
export interface DeliverySubject {
  readonly id: string;
  readonly campaignId: string;
  readonly accountId: string;
  readonly platform: string;
  readonly action: string;
}

/** How a delivery ended, as its span records it. */
export interface DeliveryEnding {
  readonly status: string;
  readonly attempts?: number | undefined;
  readonly errorCode?: string | undefined;
}

/** Statuses that mark a delivery span failed. */
const FAILED = new Set(['failed', 'unconfirmed']);

/** Runs one delivery in a `release-hall.delivery` span; a failed one marks the span failed. */
export function traceDelivery<T extends DeliveryEnding>(
  delivery: DeliverySubject,
  work: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return work();
  return inSpan(
    tracer,
    'release-hall.delivery',
    {
      'release_hall.campaign_id': delivery.campaignId,
      'release_hall.delivery_id': delivery.id,
      'release_hall.account': delivery.accountId,
      'release_hall.platform': delivery.platform,
      'release_hall.action': delivery.action,
    },
    async (span) => {
      const ending = await work();
      span?.set({ 'release_hall.status': ending.status, 'release_hall.attempts': ending.attempts });
      if (ending.errorCode !== undefined) {
        if (FAILED.has(ending.status)) span?.fail(ending.errorCode);
        else span?.set({ 'release_hall.error_code': ending.errorCode });
      }
      return ending;
    },
  );
}

/** What a request span names: the call, never its query string or body. */
export interface RequestSubject {
  readonly platform: string;
  readonly endpoint: string;
  readonly method: string;
  readonly url: string;
  readonly accountId?: string | undefined;
  readonly write: boolean;
}

/** The path of a URL, without its query string (which may carry an access token). */
function pathOf(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/**
 * Runs one platform request in a `release-hall.request` span (kind client); an answer with an HTTP
 * status of 400 or more marks the span failed, as does a request that throws.
 */
export function traceRequest<T extends { readonly status: number }>(
  request: RequestSubject,
  send: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return send();
  return inSpan(
    tracer,
    'release-hall.request',
    {
      'release_hall.platform': request.platform,
      'release_hall.endpoint': request.endpoint,
      'release_hall.account': request.accountId,
      'release_hall.write': request.write,
      'http.request.method': request.method,
      'url.path': pathOf(request.url),
    },
    async (span) => {
      const reply = await send();
      span?.set({ 'http.response.status_code': reply.status });
      if (reply.status >= 400) span?.fail(String(reply.status), 'error.type');
      return reply;
    },
    'client',
  );
}
