/**
 * The checks every adapter makes before it sends anything (a credential is there, the rendition
 * has the platform's format), the safety net that keeps secrets out of what it throws, and small
 * readers of platform replies. Part of the adapter kit (`release-hall/adapter-kit`).
 */
import type {
  Adapter,
  DeliveryContext,
  DeliveryDescriptor,
  FindExistingResult,
  PostRef,
  PublishResult,
  Rendition,
  RetractResult,
} from '../adapter.js';
import type { Account } from '../model/hall.js';
import { ReleaseHallError, invalidInput } from '../errors.js';
import { Redactor } from '../redact.js';

/** True for a JSON object (not `null`, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The credential `field` of the account, from the delivery context (resolved at call time, never
 * read from the hall file). A missing or empty one is `AUTH_INVALID`; the message names the
 * account and its credentials reference, never a value.
 *
 * @example
 * const token = requireCredential(account, context, { platform: 'weibo', field: 'access_token' });
 * @throws ReleaseHallError `AUTH_INVALID` when the credential is missing.
 */
export function requireCredential(
  account: Account,
  context: Pick<DeliveryContext, 'credentials'>,
  what: { readonly platform: string; readonly field: string },
): string {
  const value = context.credentials[what.field];
  if (value === undefined || value === '') {
    throw new ReleaseHallError(
      `[release-hall] [${what.platform}] account "${account.id}" has no ${what.field} in its credentials "${account.credentials}"`,
      { code: 'AUTH_INVALID', platform: what.platform, accountId: account.id },
    );
  }
  return value;
}

/** Where {@link requireFormat} is called from, for its message. */
export interface FormatCheck<Format extends Rendition['format']> {
  /** The format the platform takes. */
  readonly format: Format;
  /** What was being made, e.g. `statuses/share call`; the message adds `for account "…"`. */
  readonly what: string;
  /** The platform's name in words, e.g. `Weibo`; left out, the message names no platform. */
  readonly platformTitle?: string | undefined;
}

/**
 * The rendition, narrowed to the format the platform takes. Any other format is `INVALID_INPUT`
 * (issue path `rendition.format`), thrown before anything is sent.
 *
 * @example
 * const { text } = requireFormat(rendition, account, { format: 'text', what: 't/add call', platformTitle: 'Tencent Weibo' });
 * @throws ReleaseHallError `INVALID_INPUT` when the format is another.
 */
export function requireFormat<Format extends Rendition['format']>(
  rendition: Rendition,
  account: Account,
  check: FormatCheck<Format>,
): Extract<Rendition, { format: Format }> {
  if (rendition.format === check.format) {
    return rendition as Extract<Rendition, { format: Format }>;
  }
  const platform = check.platformTitle === undefined ? '' : ` for ${check.platformTitle}`;
  throw invalidInput(`${check.what} for account "${account.id}"`, [
    {
      path: 'rendition.format',
      message: `expected "${check.format}"${platform}, got "${rendition.format}"`,
    },
  ]);
}

/**
 * The text of a text rendition: {@link requireFormat} with format `text`.
 *
 * @example
 * const text = requireText(rendition, account, { what: 't/add call', platformTitle: 'Tencent Weibo' });
 * @throws ReleaseHallError `INVALID_INPUT` when the rendition is not text.
 */
export function requireText(
  rendition: Rendition,
  account: Account,
  check: Omit<FormatCheck<'text'>, 'format'>,
): string {
  return requireFormat(rendition, account, { ...check, format: 'text' }).text;
}

/**
 * Runs `work` and scrubs `secrets` from anything it throws (message, stack, cause chain) before
 * the error leaves the adapter. A safety net: no error should hold a secret in the first place,
 * but a platform that echoes a token back must not put it in a log.
 *
 * @example
 * return withSecretsScrubbed([token, appKey], async () => publishOnce(...));
 */
export async function withSecretsScrubbed<T>(
  secrets: readonly (string | undefined)[],
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Error) {
      const redactor = new Redactor();
      redactor.add(...secrets);
      redactor.scrubError(error);
    }
    throw error;
  }
}

/** Which credential {@link withCredential} reads, and what else it keeps out of errors. */
export interface CredentialUse {
  readonly platform: string;
  /** The credential field, e.g. `access_token`. */
  readonly field: string;
  /** Further secrets to scrub from errors, e.g. an app key. */
  readonly alsoScrub?: readonly (string | undefined)[] | undefined;
}

/**
 * The frame of an adapter method: reads the credential ({@link requireCredential}), runs `work`
 * with it, and scrubs it (and `alsoScrub`) from anything thrown ({@link withSecretsScrubbed}).
 *
 * @example
 * publish: (rendition, account, context) =>
 *   withCredential(account, context, { platform: 'weibo', field: 'access_token' }, (token) =>
 *     post(rendition, account, context, token),
 *   ),
 * @throws ReleaseHallError `AUTH_INVALID` when the credential is missing, and whatever `work` throws.
 */
export async function withCredential<T>(
  account: Account,
  context: Pick<DeliveryContext, 'credentials'>,
  use: CredentialUse,
  work: (credential: string) => Promise<T>,
): Promise<T> {
  const credential = requireCredential(account, context, use);
  return withSecretsScrubbed([credential, ...(use.alsoScrub ?? [])], () => work(credential));
}

/**
 * What every workflow of an adapter works with: the adapter's settings, the account, the delivery
 * context and the account's credential ({@link credentialMethods}).
 */
export interface WorkflowCall<Settings> {
  readonly settings: Settings;
  readonly account: Account;
  readonly context: DeliveryContext;
  /** The account's credential, e.g. its access token. */
  readonly credential: string;
}

/** The workflows behind an adapter's methods, each given its {@link WorkflowCall} first. */
export interface CredentialWorkflows<Settings> {
  readonly publish: (call: WorkflowCall<Settings>, rendition: Rendition) => Promise<PublishResult>;
  readonly relay: (
    call: WorkflowCall<Settings>,
    source: PostRef,
    rendition: Rendition,
  ) => Promise<PublishResult>;
  readonly retract: (call: WorkflowCall<Settings>, ref: PostRef) => Promise<RetractResult>;
  readonly findExisting: (
    call: WorkflowCall<Settings>,
    delivery: DeliveryDescriptor,
  ) => Promise<FindExistingResult>;
}

/**
 * The `publish`, `relay`, `retract` and `findExisting` methods of an adapter: each reads the
 * credential and runs its workflow in {@link withCredential}.
 *
 * @example
 * return {
 *   ...credentialMethods({ platform: 'weibo', field: 'access_token' }, settings, {
 *     publish: publishStatus,
 *     relay: relayStatus,
 *     retract: retractStatus,
 *     findExisting: findWeiboStatus,
 *   }),
 * };
 */
export function credentialMethods<Settings>(
  use: CredentialUse,
  settings: Settings,
  workflows: CredentialWorkflows<Settings>,
): Pick<Adapter, 'publish' | 'relay' | 'retract' | 'findExisting'> {
  const run = <T>(
    account: Account,
    context: DeliveryContext,
    work: (call: WorkflowCall<Settings>) => Promise<T>,
  ): Promise<T> =>
    withCredential(account, context, use, (credential) =>
      work({ settings, account, context, credential }),
    );
  return {
    publish: (rendition, account, context) =>
      run(account, context, (call) => workflows.publish(call, rendition)),
    relay: (source, rendition, account, context) =>
      run(account, context, (call) => workflows.relay(call, source, rendition)),
    retract: (ref, account, context) =>
      run(account, context, (call) => workflows.retract(call, ref)),
    findExisting: (delivery, account, context) =>
      run(account, context, (call) => workflows.findExisting(call, delivery)),
  };
}

/** A post reference; `url` is left out when the post has no known public page. */
export function postRef(
  platform: string,
  account: Pick<Account, 'id'>,
  id: string,
  url: string | undefined,
): PostRef {
  return { platform, accountId: account.id, id, ...(url === undefined ? {} : { url }) };
}
