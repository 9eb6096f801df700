/**
 * The WeChat Official Account callback as a framework-neutral function: a request in, a response
 * out (platforms.md §1.10). Mount it in node:http (`node-http.ts`), Express, Fastify, Hono, a
 * serverless function…
 *
 * - `GET`: the URL check; the signature is verified and `echostr` returned unchanged (for Official
 *   Accounts `echostr` is not encrypted, even in safe mode).
 * - `POST`: a message in plaintext mode (`signature`) or safe mode (`encrypt_type=aes`,
 *   `msg_signature`); the answer is a passive reply in the same mode, or the literal `success`.
 * - WeChat waits 5 s, then retries (3 tries). Retries are recognised by `MsgId` (events: by
 *   `FromUserName` + `CreateTime`) and get the first answer without running the work again.
 * - Work slower than `answerWithinMs` is answered `success` at once; its reply goes later through
 *   `sendLater` (the customer-service API `message/custom/send`).
 * - A bad signature gets 403 with an empty body. Nothing but reply XML, `success` or an empty
 *   body is ever answered to a POST.
 */
import { z } from 'zod';
import { ReleaseHallError } from '#core';
import { formatPath, invalidInput } from '#adapter-kit';
import {
  computeSignature,
  createWechatCrypto,
  signatureMatches,
  WECHAT_PLATFORM,
} from './crypto.js';
import type { WechatCrypto } from './crypto.js';
import { createMemoryDedupeStore } from './dedupe.js';
import type { CallbackDedupeStore, DedupeRecord } from './dedupe.js';
import { autoReplyMenuSchema, replyFor } from './menu.js';
import type { AutoReplyMenu, AutoReplyMenuInput } from './menu.js';
import {
  buildEncryptedEnvelope,
  buildTextReplyTo,
  parseEncryptedEnvelope,
  parseWechatMessage,
} from './xml.js';
import type { WechatMessage } from './xml.js';

/** Query parameters as frameworks give them. */
export type CallbackQuery =
  URLSearchParams | Readonly<Record<string, string | readonly string[] | undefined>>;

/** A request, as any HTTP framework can describe it. */
export interface CallbackRequest {
  /** `GET` or `POST` (any case). */
  readonly method: string;
  /** The request URL, absolute or a path with its query (`/wechat?signature=…`). */
  readonly url?: string | undefined;
  /** The query parameters, when the framework has parsed them; wins over `url`. */
  readonly query?: CallbackQuery | undefined;
  /** The raw body (UTF-8). */
  readonly body?: string | Uint8Array | undefined;
}

/** The response to send. */
export interface CallbackResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The handler made by {@link createCallbackHandler}. */
export type CallbackHandler = (request: CallbackRequest) => Promise<CallbackResponse>;

/**
 * What `onMessage` decides: a reply text, `undefined` to keep the menu's answer (or none without
 * a menu), or `null` for no reply at all (`success`).
 */
export type ReplyDecision = string | null | undefined;

/** What `onMessage` is told besides the message. */
export interface CallbackMessageContext {
  /** The auto-reply menu's answer to this message, when a menu is configured. */
  readonly menuReply: string | undefined;
  /** True when the message came in safe mode. */
  readonly encrypted: boolean;
  /** The key retries of this message share. */
  readonly dedupeKey: string;
}

/** Where a failure happened, for {@link CallbackHandlerOptions.onError}. */
export type CallbackErrorStage =
  'config' | 'decrypt' | 'parse' | 'dedupe' | 'on-message' | 'send-later';

/** Details passed with an error to {@link CallbackHandlerOptions.onError}. */
export interface CallbackErrorContext {
  readonly stage: CallbackErrorStage;
  /** The message, once parsed. */
  readonly message?: WechatMessage | undefined;
}

/** Options of {@link createCallbackHandler}. Checked when the handler is made. */
export interface CallbackHandlerOptions {
  /** The callback token configured in the MP console (开发 → 基本配置 → 服务器配置). */
  readonly token: string;
  /**
   * The 43-character `EncodingAESKey`; needed for safe mode (and compatible mode). Without it,
   * only plaintext messages are accepted.
   */
  readonly encodingAESKey?: string | undefined;
  /** The account's appid; a decrypted message must end with it. */
  readonly appId: string;
  /** The account's keyword / number menu (as in the hall file, `accounts.wechat.autoReply`). */
  readonly menu?: AutoReplyMenuInput | undefined;
  /** Your work per message; its result decides the reply (see {@link ReplyDecision}). */
  readonly onMessage?:
    | ((
        message: WechatMessage,
        context: CallbackMessageContext,
      ) => ReplyDecision | Promise<ReplyDecision>)
    | undefined;
  /**
   * Sends a reply that came too late for the passive answer, as a customer-service message
   * (`message/custom/send`, platforms.md §1.7). Without it, late replies are reported to
   * `onError` and dropped.
   */
  readonly sendLater?: ((openId: string, text: string) => void | Promise<void>) | undefined;
  /**
   * Like `sendLater`, and used instead of it when given: told the message answered, whose `MsgId`
   * names the follower's message for a journal or a reply API.
   */
  readonly sendLaterFor?:
    ((message: WechatMessage, text: string) => void | Promise<void>) | undefined;
  /**
   * Where retries are remembered; `false` turns deduplication off.
   * @default a bounded in-memory store (10 000 keys)
   */
  readonly dedupe?: CallbackDedupeStore | false | undefined;
  /**
   * How long a message is remembered, in milliseconds.
   * @default 300000
   */
  readonly dedupeTtlMs?: number | undefined;
  /**
   * Clock in milliseconds (reply `CreateTime`, `TimeStamp`, dedupe expiry).
   * @default Date.now
   */
  readonly now?: (() => number) | undefined;
  /**
   * 16 random bytes for each encrypted reply. Only tests should set it.
   * @default crypto.randomBytes(16)
   */
  readonly random?: (() => Uint8Array) | undefined;
  /**
   * Time given to `onMessage` before `success` is answered and the reply deferred to
   * `sendLater`. WeChat gives up after 5 s.
   * @default 4500
   */
  readonly answerWithinMs?: number | undefined;
  /** Told of every failure that the response does not show (bad body, a throwing `onMessage`…). */
  readonly onError?: ((error: unknown, context: CallbackErrorContext) => void) | undefined;
}

const settingsSchema = z.object({
  token: z.string().min(1, 'expected the callback token from the MP console'),
  appId: z.string().min(1, 'expected the appid of the account, e.g. "wx…"'),
  encodingAESKey: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}$/, 'expected the 43-character EncodingAESKey from the MP console')
    .optional(),
  answerWithinMs: z
    .number()
    .int()
    .min(1)
    .max(5000, 'expected at most 5000 ms: WeChat stops waiting after 5 s')
    .default(4500),
  dedupeTtlMs: z.number().int().min(1).default(300_000),
});

const XML_HEADERS = { 'content-type': 'application/xml; charset=utf-8' } as const;
const TEXT_HEADERS = { 'content-type': 'text/plain; charset=utf-8' } as const;

function respond(status: number, body = '', headers: Record<string, string> = TEXT_HEADERS) {
  return { status, headers: { ...headers, 'cache-control': 'no-store' }, body };
}

const SUCCESS = () => respond(200, 'success');
const FORBIDDEN = () => respond(403);
const BAD_REQUEST = () => respond(400);

function queryReader(request: CallbackRequest): (name: string) => string | undefined {
  const { query } = request;
  if (query instanceof URLSearchParams) return (name) => query.get(name) ?? undefined;
  if (query !== undefined) {
    return (name) => {
      const value = query[name];
      return typeof value === 'string' ? value : value?.[0];
    };
  }
  const params = new URL(request.url ?? '/', 'http://callback.invalid').searchParams;
  return (name) => params.get(name) ?? undefined;
}

function bodyText(body: string | Uint8Array | undefined): string {
  if (body === undefined) return '';
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
}

/**
 * The key under which retries of `message` are recognised: the `MsgId` for messages; for events
 * `FromUserName` + `CreateTime` (platforms.md §1.10), narrowed by the event name and its own id
 * (`EventKey`, `MsgID`, `publish_id`) so two different events of one second stay apart — a retry
 * repeats all of them. Keys are scoped by the account (`ToUserName`) for shared stores.
 */
export function dedupeKeyOf(message: WechatMessage): string {
  const account = message.toUserName;
  if (message.kind === 'text' || (message.kind === 'other' && message.msgType !== 'event')) {
    if (message.msgId !== undefined && message.msgId !== '') {
      return `wechat:${account}:msg:${message.msgId}`;
    }
  }
  let detail: string;
  switch (message.kind) {
    case 'click':
      detail = `${message.event}:${message.eventKey}`;
      break;
    case 'mass-send-job-finish':
      detail = `${message.event}:${message.msgId}`;
      break;
    case 'publish-job-finish':
      detail = `${message.event}:${message.publishEventInfo.publishId}`;
      break;
    case 'other':
      detail = `${message.event ?? message.msgType}:${message.eventKey ?? ''}`;
      break;
    case 'text':
      detail = 'text';
      break;
  }
  return `wechat:${account}:event:${message.fromUserName}:${message.createTime}:${detail}`;
}

type Outcome =
  | { readonly kind: 'value'; readonly value: string | null }
  | { readonly kind: 'error'; readonly error: unknown };

/** What one account's handler works with, made once from its options. */
interface CallbackRuntime {
  readonly options: CallbackHandlerOptions;
  readonly settings: z.infer<typeof settingsSchema>;
  readonly menu: AutoReplyMenu | undefined;
  readonly crypto: WechatCrypto | undefined;
  readonly now: () => number;
  readonly store: CallbackDedupeStore | undefined;
  /** Replies being worked out in this process, by dedupe key. */
  readonly inFlight: Map<string, Promise<string | null>>;
}

/** The options checked; `INVALID_INPUT` names each wrong one. */
function callbackRuntime(options: CallbackHandlerOptions): CallbackRuntime {
  const parsed = settingsSchema.safeParse({
    token: options.token,
    appId: options.appId,
    encodingAESKey: options.encodingAESKey,
    answerWithinMs: options.answerWithinMs,
    dedupeTtlMs: options.dedupeTtlMs,
  });
  if (!parsed.success) {
    throw invalidInput(
      'WeChat callback options',
      parsed.error.issues.map((issue) => ({
        path: formatPath(issue.path),
        message: issue.message,
      })),
    );
  }
  const settings = parsed.data;
  let menu: AutoReplyMenu | undefined;
  if (options.menu !== undefined) {
    const menuResult = autoReplyMenuSchema.safeParse(options.menu);
    if (!menuResult.success) {
      throw invalidInput(
        'WeChat callback options',
        menuResult.error.issues.map((issue) => ({
          path: formatPath(['menu', ...issue.path]),
          message: issue.message,
        })),
      );
    }
    menu = menuResult.data;
  }
  const crypto: WechatCrypto | undefined =
    settings.encodingAESKey === undefined
      ? undefined
      : createWechatCrypto({
          token: settings.token,
          encodingAESKey: settings.encodingAESKey,
          appId: settings.appId,
        });
  const now = options.now ?? Date.now;
  const store: CallbackDedupeStore | undefined =
    options.dedupe === false ? undefined : (options.dedupe ?? createMemoryDedupeStore({ now }));
  return { options, settings, menu, crypto, now, store, inFlight: new Map() };
}

/** Tells the owner about a problem; a failing listener does not change the answer to WeChat. */
function report(runtime: CallbackRuntime, error: unknown, context: CallbackErrorContext): void {
  try {
    runtime.options.onError?.(error, context);
  } catch {
    // A failing error listener must not change the answer to WeChat.
  }
}

/** The server check WeChat makes when the callback URL is set: echo `echostr` when signed. */
function handshake(
  runtime: CallbackRuntime,
  query: (name: string) => string | undefined,
): CallbackResponse {
  const timestamp = query('timestamp') ?? '';
  const nonce = query('nonce') ?? '';
  if (!signatureMatches(query('signature'), [runtime.settings.token, timestamp, nonce])) {
    return FORBIDDEN();
  }
  const echostr = query('echostr');
  if (echostr === undefined) return BAD_REQUEST();
  return respond(200, echostr);
}

/** Hands a reply that came after the deadline to `sendLater`, or reports why it cannot. */
async function deliverLate(
  runtime: CallbackRuntime,
  late: Outcome,
  message: WechatMessage,
): Promise<void> {
  const { options, settings } = runtime;
  if (late.kind === 'error') {
    report(runtime, late.error, { stage: 'on-message', message });
    return;
  }
  if (late.value === null) return;
  const { sendLater, sendLaterFor } = options;
  const send =
    sendLaterFor !== undefined
      ? (text: string) => sendLaterFor(message, text)
      : sendLater !== undefined
        ? (text: string) => sendLater(message.fromUserName, text)
        : undefined;
  if (send === undefined) {
    report(
      runtime,
      new ReleaseHallError(
        `[release-hall] [wechat] callback reply dropped: onMessage answered after ${settings.answerWithinMs} ms and no sendLater is configured to deliver it as a customer-service message`,
        { code: 'INVALID_INPUT', platform: WECHAT_PLATFORM },
      ),
      { stage: 'send-later', message },
    );
    return;
  }
  try {
    await send(late.value);
  } catch (error) {
    report(runtime, error, { stage: 'send-later', message });
  }
}

/** Runs the work with the deadline; resolves with the passive reply (`null` = `success`). */
async function answer(
  runtime: CallbackRuntime,
  message: WechatMessage,
  context: CallbackMessageContext,
): Promise<string | null> {
  const onMessage = runtime.options.onMessage;
  if (onMessage === undefined) return context.menuReply ?? null;
  const work: Promise<Outcome> = (async () => {
    try {
      const decision = await onMessage(message, context);
      const text = decision === undefined ? context.menuReply : decision;
      return { kind: 'value', value: text === undefined || text === '' ? null : text } as const;
    } catch (error) {
      return { kind: 'error', error } as const;
    }
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), runtime.settings.answerWithinMs);
  });
  const first = await Promise.race([work, deadline]);
  clearTimeout(timer);
  if (first !== 'late') {
    if (first.kind === 'error') {
      report(runtime, first.error, { stage: 'on-message', message });
      return null;
    }
    return first.value;
  }
  void work.then((late) => deliverLate(runtime, late, message));
  return null;
}

async function claim(
  runtime: CallbackRuntime,
  key: string,
  message: WechatMessage,
): Promise<DedupeRecord | undefined> {
  if (runtime.store === undefined) return undefined;
  try {
    return await runtime.store.claim(key, runtime.settings.dedupeTtlMs);
  } catch (error) {
    report(runtime, error, { stage: 'dedupe', message });
    return undefined;
  }
}

async function settle(
  runtime: CallbackRuntime,
  key: string,
  reply: string | null,
  message: WechatMessage,
): Promise<void> {
  if (runtime.store === undefined) return;
  try {
    await runtime.store.settle(key, reply, runtime.settings.dedupeTtlMs);
  } catch (error) {
    report(runtime, error, { stage: 'dedupe', message });
  }
}

/** The reply to a message, worked out once however often WeChat repeats it. */
async function passiveReply(
  runtime: CallbackRuntime,
  message: WechatMessage,
  encrypted: boolean,
): Promise<string | null> {
  const { inFlight, menu } = runtime;
  const key = dedupeKeyOf(message);
  const local = inFlight.get(key);
  if (local !== undefined) return local;
  const record = await claim(runtime, key, message);
  if (record !== undefined) {
    if (record.state === 'answered') return record.reply;
    // Being handled elsewhere: that try answers, or its reply goes later.
    return inFlight.get(key) ?? null;
  }
  const context: CallbackMessageContext = {
    menuReply: menu === undefined ? undefined : replyFor(menu, message),
    encrypted,
    dedupeKey: key,
  };
  const pending = answer(runtime, message, context);
  inFlight.set(key, pending);
  try {
    const reply = await pending;
    await settle(runtime, key, reply, message);
    return reply;
  } finally {
    inFlight.delete(key);
  }
}

/**
 * The message XML of a POST, its signatures checked (and decrypted in safe mode), or the answer
 * to give WeChat when it cannot be read.
 */
function openMessage(
  runtime: CallbackRuntime,
  query: (name: string) => string | undefined,
  body: string,
): { readonly xml: string } | { readonly response: CallbackResponse } {
  const { token } = runtime.settings;
  const timestamp = query('timestamp') ?? '';
  const nonce = query('nonce') ?? '';
  const signature = query('signature');
  if (query('encrypt_type')?.toLowerCase() !== 'aes') {
    if (!signatureMatches(signature, [token, timestamp, nonce])) return { response: FORBIDDEN() };
    return { xml: body };
  }
  // msg_signature covers Encrypt: check it before anything is decrypted.
  if (signature !== undefined && !signatureMatches(signature, [token, timestamp, nonce])) {
    return { response: FORBIDDEN() };
  }
  let encrypt: string;
  try {
    encrypt = parseEncryptedEnvelope(body).encrypt;
  } catch {
    // Without a valid signature nothing is disclosed; the body cannot be checked anyway.
    return { response: FORBIDDEN() };
  }
  if (!signatureMatches(query('msg_signature'), [token, timestamp, nonce, encrypt])) {
    return { response: FORBIDDEN() };
  }
  if (runtime.crypto === undefined) {
    report(
      runtime,
      new ReleaseHallError(
        '[release-hall] [wechat] callback decrypt failed: a safe-mode message (encrypt_type=aes) came but no encodingAESKey is configured; add it to the callback options',
        { code: 'INVALID_INPUT', platform: WECHAT_PLATFORM },
      ),
      { stage: 'config' },
    );
    return { response: respond(500) };
  }
  try {
    return { xml: runtime.crypto.decrypt(encrypt) };
  } catch (error) {
    report(runtime, error, { stage: 'decrypt' });
    return { response: BAD_REQUEST() };
  }
}

/** The HTTP answer carrying a passive reply, encrypted when the message was. */
function replyResponse(
  runtime: CallbackRuntime,
  message: WechatMessage,
  reply: string,
  encrypted: boolean,
  nonce: string,
): CallbackResponse {
  const { crypto, now, options, settings } = runtime;
  const createTime = Math.floor(now() / 1000);
  const replyXml = buildTextReplyTo(message, reply, createTime);
  if (!encrypted || crypto === undefined) return respond(200, replyXml, XML_HEADERS);
  const encrypt = crypto.encrypt(replyXml, options.random?.());
  const timeStamp = String(createTime);
  const replyNonce = nonce === '' ? String(now()) : nonce;
  return respond(
    200,
    buildEncryptedEnvelope({
      encrypt,
      msgSignature: computeSignature([settings.token, timeStamp, replyNonce, encrypt]),
      timeStamp,
      nonce: replyNonce,
    }),
    XML_HEADERS,
  );
}

/** One POST from WeChat: check, read, answer once. */
async function receive(
  runtime: CallbackRuntime,
  query: (name: string) => string | undefined,
  body: string,
): Promise<CallbackResponse> {
  const opened = openMessage(runtime, query, body);
  if ('response' in opened) return opened.response;
  let message: WechatMessage;
  try {
    message = parseWechatMessage(opened.xml);
  } catch (error) {
    report(runtime, error, { stage: 'parse' });
    return BAD_REQUEST();
  }
  const encrypted = query('encrypt_type')?.toLowerCase() === 'aes';
  const reply = await passiveReply(runtime, message, encrypted);
  if (reply === null) return SUCCESS();
  return replyResponse(runtime, message, reply, encrypted, query('nonce') ?? '');
}

/**
 * Makes the callback handler of one account.
 * @throws ReleaseHallError `INVALID_INPUT` when an option is wrong (the message names it).
 */
export function createCallbackHandler(options: CallbackHandlerOptions): CallbackHandler {
  const runtime = callbackRuntime(options);
  return async (request) => {
    const method = request.method.toUpperCase();
    const query = queryReader(request);
    if (method === 'GET') return handshake(runtime, query);
    if (method !== 'POST') return respond(405, '', { ...TEXT_HEADERS, allow: 'GET, POST' });
    return receive(runtime, query, bodyText(request.body));
  };
}
