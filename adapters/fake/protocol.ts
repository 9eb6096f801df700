/**
 * What the two transports of a fake platform (the loopback server in `fake-server.ts`, the msw
 * handlers in `fake-msw.ts`) share: the request they hand to a protocol description and the answer
 * it gives back. Every platform's `handle…Request` fits {@link FakeProtocolHandler}; they differ
 * only in how they want the body ({@link FakeBodyKind}). Types only, so either transport can load
 * it without loading the other.
 */

/** The body as each kind of protocol wants it. */
export interface FakeBodies {
  /** Form bodies and JSON, decoded as UTF-8 (`''` when there is none). */
  readonly text: string;
  /** The raw bytes, for multipart uploads (empty when there is none). */
  readonly bytes: Uint8Array;
}

/** How a protocol wants the body: `'text'` (Weibo, Tencent Weibo) or `'bytes'` (WeChat). */
export type FakeBodyKind = keyof FakeBodies;

/** A request as a fake hands it to the protocol description. */
export interface FakeRequest<Body> {
  /** HTTP method, as received. */
  readonly method: string;
  /** Path the protocol routes on, e.g. `/2/statuses/share.json`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Body;
}

/** What a fake must do with a request. */
export interface FakeAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Wait this long before answering; stop waiting, and answer nothing, when the client goes away. */
  readonly delayMs: number;
  /** Close the connection instead of answering, after the delay. */
  readonly drop: boolean;
}

/** A protocol description as the fakes call it. */
export type FakeProtocolHandler<Kind extends FakeBodyKind> = (
  request: FakeRequest<FakeBodies[Kind]>,
) => FakeAnswer;

/** The protocol a fake serves, and how it wants the body. */
export interface FakeProtocol<Kind extends FakeBodyKind> {
  readonly body: Kind;
  readonly handle: FakeProtocolHandler<Kind>;
}

/** The one function both transports of a platform call: a request in, the fake's answer out. */
export type PlatformRequestHandler<Platform, Request> = (
  platform: Platform,
  request: Request,
) => FakeAnswer;
