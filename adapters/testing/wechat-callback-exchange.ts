/**
 * How a WeChat callback driver talks to a callback: it signs (and, in safe mode, encrypts) each
 * request, delivers it to a handler or a URL, and checks and decrypts the reply.
 */
import { randomInt } from 'node:crypto';
import {
  computeSignature,
  createWechatCrypto,
  signatureMatches,
} from '../wechat/callback/crypto.js';
import type { WechatCrypto } from '../wechat/callback/crypto.js';
import { buildXml, parseEncryptedEnvelope, parseXml, textOf } from '../wechat/callback/xml.js';
import { driverError } from './wechat-callback-messages.js';
import type {
  CallbackDriverOptions,
  DriverReply,
  DriverRequest,
  DriverResult,
  DriverSendOptions,
} from './wechat-callback-driver.js';

/** A driver's options with the defaults filled in. */
export interface DriverSetup {
  readonly options: CallbackDriverOptions;
  readonly mode: 'plain' | 'safe';
  readonly crypto: WechatCrypto | undefined;
  readonly nextNonce: () => string;
  /** `ToUserName` of the messages. */
  readonly account: string;
  /** `FromUserName` of follower messages. */
  readonly openId: string;
  /** The clock in seconds. */
  readonly seconds: () => number;
}

/** Fills in the defaults; safe mode without an `encodingAESKey` is refused. */
export function resolveDriverSetup(options: CallbackDriverOptions): DriverSetup {
  const mode = options.mode ?? (options.encodingAESKey === undefined ? 'plain' : 'safe');
  const crypto: WechatCrypto | undefined =
    options.encodingAESKey === undefined
      ? undefined
      : createWechatCrypto({
          token: options.token,
          encodingAESKey: options.encodingAESKey,
          appId: options.appId,
        });
  if (mode === 'safe' && crypto === undefined) {
    throw driverError('safe mode needs the encodingAESKey');
  }
  const now = options.now ?? Date.now;
  return {
    options,
    mode,
    crypto,
    nextNonce: options.nonce ?? (() => String(randomInt(100_000_000, 2_147_483_647))),
    account: options.account ?? DEFAULT_ACCOUNT,
    openId: options.openId ?? DEFAULT_OPENID,
    seconds: () => Math.floor(now() / 1000),
  };
}

/** Default original id (`gh_…`) of the account in driver messages. */
export const DEFAULT_ACCOUNT = 'gh_7f083739789a';
/** Default follower OpenID in driver messages. */
export const DEFAULT_OPENID = 'oia2TjjewbmiOUlr6X-1crbLOvLw';

function toQueryString(query: Readonly<Record<string, string>>): string {
  return new URLSearchParams(query).toString();
}

function signed(
  setup: DriverSetup,
  sendOptions: DriverSendOptions,
): { signature: string; timestamp: string; nonce: string } {
  const timestamp = sendOptions.timestamp ?? String(setup.seconds());
  const nonce = sendOptions.nonce ?? setup.nextNonce();
  return {
    signature: computeSignature([setup.options.token, timestamp, nonce]),
    timestamp,
    nonce,
  };
}

/** The signed `GET` of the URL check. */
export function buildHandshakeRequest(
  setup: DriverSetup,
  echostr?: string,
  sendOptions: DriverSendOptions = {},
): DriverRequest {
  const query = {
    ...signed(setup, sendOptions),
    echostr: echostr ?? String(randomInt(1, 2 ** 47)),
  };
  return { method: 'GET', url: `/?${toQueryString(query)}`, query, body: '' };
}

/** A signed (and, in safe mode, encrypted) `POST` carrying `xml`. */
export function buildCallbackRequest(
  setup: DriverSetup,
  xml: string,
  sendOptions: DriverSendOptions = {},
): DriverRequest {
  const { crypto, options } = setup;
  const requestMode = sendOptions.mode ?? setup.mode;
  const base = { ...signed(setup, sendOptions), openid: setup.openId };
  if (requestMode === 'plain') {
    return { method: 'POST', url: `/?${toQueryString(base)}`, query: base, body: xml };
  }
  if (crypto === undefined) throw driverError('safe mode needs the encodingAESKey');
  const encrypt = crypto.encrypt(xml, sendOptions.random ?? options.random?.());
  const toUserName = textOf(parseXml(xml), 'ToUserName') ?? setup.account;
  const query = {
    ...base,
    encrypt_type: 'aes',
    msg_signature: crypto.msgSignature(base.timestamp, base.nonce, encrypt),
  };
  const body = buildXml({ ToUserName: toUserName, Encrypt: encrypt });
  return { method: 'POST', url: `/?${toQueryString(query)}`, query, body };
}

/** Sends a built request and reads the reply. */
export async function sendDriverRequest(
  setup: DriverSetup,
  request: DriverRequest,
): Promise<DriverResult> {
  const response = await deliver(setup.options, request);
  const readable = request.method === 'POST' && response.status === 200;
  const { encrypted, reply } = readable
    ? readReply(setup, response.body)
    : { encrypted: false, reply: undefined };
  return { request, ...response, encrypted, reply };
}

async function deliver(
  options: CallbackDriverOptions,
  request: DriverRequest,
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { target } = options;
  if (typeof target === 'function') {
    const response = await target(request);
    return { status: response.status, headers: { ...response.headers }, body: response.body };
  }
  const url = new URL(target);
  for (const [name, value] of Object.entries(request.query)) url.searchParams.set(name, value);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const init: RequestInit =
    request.method === 'POST'
      ? {
          method: 'POST',
          headers: { 'content-type': 'text/xml; charset=utf-8' },
          body: request.body,
        }
      : { method: 'GET' };
  const response = await fetchImpl(url, init);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { status: response.status, headers, body: await response.text() };
}

function readReply(
  setup: DriverSetup,
  body: string,
): { encrypted: boolean; reply: DriverReply | undefined } {
  if (!body.trimStart().startsWith('<')) return { encrypted: false, reply: undefined };
  const fields = parseXml(body);
  let xml = body;
  let encrypted = false;
  const { crypto, options } = setup;
  if (textOf(fields, 'Encrypt') !== undefined) {
    if (crypto === undefined) {
      throw driverError('the reply is encrypted but the driver has no encodingAESKey');
    }
    const envelope = parseEncryptedEnvelope(body);
    if (
      !signatureMatches(envelope.msgSignature, [
        options.token,
        envelope.timeStamp ?? '',
        envelope.nonce ?? '',
        envelope.encrypt,
      ])
    ) {
      throw driverError('the MsgSignature of the encrypted reply does not verify');
    }
    xml = crypto.decrypt(envelope.encrypt);
    encrypted = true;
  }
  const replyFields = encrypted ? parseXml(xml) : fields;
  const createTime = textOf(replyFields, 'CreateTime');
  return {
    encrypted,
    reply: {
      toUserName: textOf(replyFields, 'ToUserName'),
      fromUserName: textOf(replyFields, 'FromUserName'),
      createTime: createTime === undefined ? undefined : Number(createTime),
      msgType: textOf(replyFields, 'MsgType'),
      content: textOf(replyFields, 'Content'),
      xml,
    },
  };
}
