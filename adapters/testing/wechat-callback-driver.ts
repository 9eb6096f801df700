/**
 * A test driver for a WeChat callback: it plays WeChat's side. It builds signed (and, in safe mode,
 * encrypted) callback requests — a follower sending "1", a menu click, a mass-send or publish
 * notice — posts them to a handler or a URL, and checks and decrypts the reply.
 *
 * ```ts
 * const driver = createCallbackDriver({ token, encodingAESKey, appId, target: 'http://127.0.0.1:8080/wechat' });
 * const result = await driver.sendText('1');
 * result.reply?.content; // the 110 guide
 * ```
 */
import { randomInt } from 'node:crypto';
import type { FetchLike } from '#adapter-kit';
import type { CallbackHandler, CallbackRequest } from '../wechat/callback/handler.js';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_OPENID,
  buildCallbackRequest,
  buildHandshakeRequest,
  resolveDriverSetup,
  sendDriverRequest,
} from './wechat-callback-exchange.js';
import {
  clickEventXml,
  massSendJobFinishXml,
  publishJobFinishXml,
  textMessageXml,
} from './wechat-callback-messages.js';

export {
  clickEventXml,
  massSendJobFinishXml,
  publishJobFinishXml,
  textMessageXml,
} from './wechat-callback-messages.js';

/** Default original id (`gh_…`) of the account in driver messages. */
export const DRIVER_DEFAULT_ACCOUNT = DEFAULT_ACCOUNT;
/** Default follower OpenID in driver messages. */
export const DRIVER_DEFAULT_OPENID = DEFAULT_OPENID;
/**
 * Default `MsgId`s are above this value (2^53 + 1) on purpose, so code that turns one into a
 * JS number loses digits and fails its tests.
 */
export const DRIVER_MIN_MSG_ID = 9_007_199_254_740_993n;

/**
 * Shared by every driver of the process, from a random start, so that two drivers posting to one
 * callback (which remembers MsgIds to recognise retries) never reuse an id.
 */
let nextDefaultMsgId = DRIVER_MIN_MSG_ID + BigInt(randomInt(0, 2 ** 40)) * 1024n;

/** Options of {@link createCallbackDriver}. */
export interface CallbackDriverOptions {
  /** The callback token shared with the handler. */
  readonly token: string;
  /** The account's appid. */
  readonly appId: string;
  /** The `EncodingAESKey`; needed for safe mode. */
  readonly encodingAESKey?: string | undefined;
  /**
   * `safe` sends `encrypt_type=aes` with `msg_signature`; `plain` sends the XML as is.
   * @default 'safe' when `encodingAESKey` is given, else 'plain'
   */
  readonly mode?: 'plain' | 'safe' | undefined;
  /** A handler made with `createCallbackHandler`, or the callback URL of a running server. */
  readonly target: CallbackHandler | string | URL;
  /**
   * Used when `target` is a URL.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike | undefined;
  /**
   * `ToUserName` of the messages: the account's original id.
   * @default 'gh_7f083739789a'
   */
  readonly account?: string | undefined;
  /**
   * `FromUserName` of follower messages.
   * @default 'oia2TjjewbmiOUlr6X-1crbLOvLw'
   */
  readonly openId?: string | undefined;
  /**
   * Clock in milliseconds (`timestamp`, `CreateTime`).
   * @default Date.now
   */
  readonly now?: (() => number) | undefined;
  /**
   * 16 random bytes per encrypted request. Only for reproducing fixed vectors.
   * @default crypto.randomBytes(16)
   */
  readonly random?: (() => Uint8Array) | undefined;
  /**
   * The `nonce` of each request.
   * @default a random number of 9 or 10 digits
   */
  readonly nonce?: (() => string) | undefined;
}

/** Per-request overrides. */
export interface DriverSendOptions {
  readonly timestamp?: string | undefined;
  readonly nonce?: string | undefined;
  readonly mode?: 'plain' | 'safe' | undefined;
  /** 16 bytes (or a 16-character string) of random prefix for this request. */
  readonly random?: Uint8Array | string | undefined;
}

/** A follower's text message. */
export interface DriverTextOptions extends DriverSendOptions {
  readonly openId?: string | undefined;
  /** `MsgId` as text (64-bit). Default: unique in the process, above 2^53. */
  readonly msgId?: string | undefined;
  /** Seconds since the epoch. */
  readonly createTime?: number | undefined;
}

/** A custom-menu click. */
export interface DriverClickOptions extends DriverSendOptions {
  readonly openId?: string | undefined;
  readonly createTime?: number | undefined;
}

/** A `MASSSENDJOBFINISH` notice. */
export interface DriverMassSendJobFinishOptions extends DriverSendOptions {
  /** `MsgID` of the mass send, as text. */
  readonly msgId?: string | undefined;
  /** @default 'send success' */
  readonly status?: string | undefined;
  readonly totalCount?: number | undefined;
  readonly filterCount?: number | undefined;
  readonly sentCount?: number | undefined;
  readonly errorCount?: number | undefined;
  readonly createTime?: number | undefined;
  /** `FromUserName` of the notice (which id WeChat puts there is not modelled). Default: the driver's `openId`. */
  readonly fromUserName?: string | undefined;
}

/** A `PUBLISHJOBFINISH` notice. */
export interface DriverPublishJobFinishOptions extends DriverSendOptions {
  readonly publishId: string;
  /** @default 0 */
  readonly publishStatus?: number | undefined;
  readonly articleId?: string | undefined;
  /** Article URLs in order (`idx` 1, 2, …). */
  readonly articleUrls?: readonly string[] | undefined;
  readonly failIdx?: readonly number[] | undefined;
  readonly createTime?: number | undefined;
}

/** A built request: what the driver sends. */
export interface DriverRequest extends CallbackRequest {
  readonly method: 'GET' | 'POST';
  /** Path and query, e.g. `/?signature=…&timestamp=…`. */
  readonly url: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A passive text reply as the follower would see it. */
export interface DriverReply {
  readonly toUserName: string | undefined;
  readonly fromUserName: string | undefined;
  readonly createTime: number | undefined;
  readonly msgType: string | undefined;
  /** The text shown to the follower. */
  readonly content: string | undefined;
  /** The reply XML (decrypted in safe mode). */
  readonly xml: string;
}

/** What came back. */
export interface DriverResult {
  readonly request: DriverRequest;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** True when the body was an encrypted envelope whose `MsgSignature` verified. */
  readonly encrypted: boolean;
  /** The passive reply; `undefined` for `success`, an empty body or an error status. */
  readonly reply: DriverReply | undefined;
}

/** The driver made by {@link createCallbackDriver}. */
export interface CallbackDriver {
  /** Builds the signed `GET` of the URL check. */
  buildHandshake(echostr?: string, options?: DriverSendOptions): DriverRequest;
  /** Builds a signed (and, in safe mode, encrypted) `POST` carrying `xml`. */
  buildRequest(xml: string, options?: DriverSendOptions): DriverRequest;
  /** Sends a built request and reads the reply. */
  send(request: DriverRequest): Promise<DriverResult>;
  /** The URL check; a correct callback answers `echostr`. */
  handshake(echostr?: string, options?: DriverSendOptions): Promise<DriverResult>;
  /** Posts any message XML. */
  post(xml: string, options?: DriverSendOptions): Promise<DriverResult>;
  /** A follower sends a text, e.g. "1". */
  sendText(content: string, options?: DriverTextOptions): Promise<DriverResult>;
  /** A follower clicks a custom-menu item with `eventKey`. */
  click(eventKey: string, options?: DriverClickOptions): Promise<DriverResult>;
  /** WeChat reports a finished mass send. */
  massSendJobFinish(options?: DriverMassSendJobFinishOptions): Promise<DriverResult>;
  /** WeChat reports a finished publish job (from `mphelper`). */
  publishJobFinish(options: DriverPublishJobFinishOptions): Promise<DriverResult>;
}

/** Makes a driver that plays WeChat against a callback. */
export function createCallbackDriver(options: CallbackDriverOptions): CallbackDriver {
  const setup = resolveDriverSetup(options);
  const { account, openId, seconds } = setup;
  const buildHandshake = (echostr?: string, sendOptions?: DriverSendOptions): DriverRequest =>
    buildHandshakeRequest(setup, echostr, sendOptions);
  const buildRequest = (xml: string, sendOptions?: DriverSendOptions): DriverRequest =>
    buildCallbackRequest(setup, xml, sendOptions);
  const send = (request: DriverRequest): Promise<DriverResult> => sendDriverRequest(setup, request);
  const post = (xml: string, sendOptions: DriverSendOptions = {}): Promise<DriverResult> =>
    send(buildRequest(xml, sendOptions));

  return {
    buildHandshake,
    buildRequest,
    send,
    handshake: (echostr, sendOptions) => send(buildHandshake(echostr, sendOptions)),
    post,
    sendText(content, textOptions = {}) {
      const msgId = textOptions.msgId ?? String(nextDefaultMsgId++);
      return post(
        textMessageXml({
          toUserName: account,
          fromUserName: textOptions.openId ?? openId,
          createTime: textOptions.createTime ?? seconds(),
          content,
          msgId,
        }),
        textOptions,
      );
    },
    click(eventKey, clickOptions = {}) {
      return post(
        clickEventXml({
          toUserName: account,
          fromUserName: clickOptions.openId ?? openId,
          createTime: clickOptions.createTime ?? seconds(),
          eventKey,
        }),
        clickOptions,
      );
    },
    massSendJobFinish(massOptions = {}) {
      const totalCount = massOptions.totalCount ?? 1;
      return post(
        massSendJobFinishXml({
          toUserName: account,
          fromUserName: massOptions.fromUserName ?? openId,
          createTime: massOptions.createTime ?? seconds(),
          msgId: massOptions.msgId ?? '1000001625',
          status: massOptions.status ?? 'send success',
          totalCount,
          filterCount: massOptions.filterCount ?? totalCount,
          sentCount: massOptions.sentCount ?? totalCount,
          errorCount: massOptions.errorCount ?? 0,
        }),
        massOptions,
      );
    },
    publishJobFinish(publishOptions) {
      return post(
        publishJobFinishXml({
          toUserName: account,
          createTime: publishOptions.createTime ?? seconds(),
          publishId: publishOptions.publishId,
          publishStatus: publishOptions.publishStatus ?? 0,
          articleId: publishOptions.articleId,
          articleUrls: publishOptions.articleUrls,
          failIdx: publishOptions.failIdx,
        }),
        publishOptions,
      );
    },
  };
}
