/**
 * OpenTelemetry spans, when the application has installed `@opentelemetry/api` and registered an
 * SDK; nothing at all otherwise.
 *
 * `@opentelemetry/api` is an optional peer dependency. It is loaded once, synchronously, through
 * `require` (the package is dual CJS/ESM and keeps its registration on `globalThis`, so the CJS
 * copy loaded here sees a tracer provider and a context manager the application registered from
 * ESM). When it is not installed, or no tracer provider is registered, {@link activeTracer} answers
 * `undefined` after a property read and an identity check, and callers run their work as it is:
 * no span, no context, no allocation.
 *
 * Spans nest through the active context (`context.with`): a delivery's span is active while the
 * delivery runs, so the request spans the adapters make below it become its children without
 * being handed down. With no context manager registered, every span is a root span.
 */
import { createRequire } from 'node:module';
import type * as OtelApi from '@opentelemetry/api';
import { ReleaseHallError } from '../errors.js';

/** The instrumentation scope of release-hall's spans. */
export const TRACER_NAME = 'release-hall';

/** The names of release-hall's spans. */
export type SpanName = 'release-hall.campaign' | 'release-hall.delivery' | 'release-hall.request';

/** Attribute values of a span; `undefined` ones are left out. */
export type SpanAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

/** A span being recorded. */
export interface TelemetrySpan {
  /** Adds attributes (never a secret, never a statement's text). */
  set(attributes: SpanAttributes): void;
  /**
   * Marks the span failed, with `code` as its status message and as the value of `attribute`.
   * @default attribute 'release_hall.error_code'
   */
  fail(code: string, attribute?: string): void;
}

type Api = typeof OtelApi;

/** The API, when installed: loaded on first use. `null`: not installed. */
let api: Api | null | undefined;
/** The no-op provider of the loaded API: the delegate of a proxy while no SDK is registered. */
let noopProvider: unknown;
/** The provider the cached tracer belongs to, and that tracer. */
let tracerOf: unknown;
let cachedTracer: OtelApi.Tracer | undefined;

function loadApi(): Api | null {
  try {
    const loaded = createRequire(import.meta.url)('@opentelemetry/api') as Api;
    noopProvider = new loaded.ProxyTracerProvider().getDelegate();
    return loaded;
  } catch {
    return null;
  }
}

/** The provider that really makes spans: a proxy's delegate, or the provider itself. */
function realProvider(provider: OtelApi.TracerProvider): OtelApi.TracerProvider {
  // Duck-typed: the proxy may come from the ESM copy of the API.
  const proxy = provider as Partial<Pick<OtelApi.ProxyTracerProvider, 'getDelegate'>>;
  return typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : provider;
}

/**
 * The tracer of release-hall, or `undefined` when the API is not installed or no tracer provider
 * is registered. Cheap enough for every request: the tracer is cached per provider.
 */
export function activeTracer(): OtelApi.Tracer | undefined {
  if (api === undefined) api = loadApi();
  if (api === null) return undefined;
  const provider = realProvider(api.trace.getTracerProvider());
  if (provider === tracerOf) return cachedTracer;
  tracerOf = provider;
  cachedTracer = provider === noopProvider ? undefined : provider.getTracer(TRACER_NAME);
  return cachedTracer;
}

/** The code of a failure: a {@link ReleaseHallError}'s, else `INTERNAL`. */
export function failureCode(error: unknown): string {
  return ReleaseHallError.isInstance(error) ? error.code : 'INTERNAL';
}

function defined(attributes: SpanAttributes): OtelApi.Attributes {
  const kept: OtelApi.Attributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

class RecordingSpan implements TelemetrySpan {
  constructor(
    readonly span: OtelApi.Span,
    private readonly statusCodes: Api['SpanStatusCode'],
  ) {}

  set(attributes: SpanAttributes): void {
    this.span.setAttributes(defined(attributes));
  }

  fail(code: string, attribute = 'release_hall.error_code'): void {
    this.span.setAttribute(attribute, code);
    this.span.setStatus({ code: this.statusCodes.ERROR, message: code });
  }
}

/**
 * Runs `work` in a new span that is active (the parent of the spans started inside it) until
 * `work` settles; a rejection marks the span failed with its code. Without a tracer, runs `work`
 * with no span.
 */
export async function inSpan<T>(
  tracer: OtelApi.Tracer | undefined,
  name: SpanName,
  attributes: SpanAttributes,
  work: (span: TelemetrySpan | undefined) => Promise<T>,
  kind: 'internal' | 'client' = 'internal',
): Promise<T> {
  if (tracer === undefined || api == null) return work(undefined);
  const { context, trace, SpanKind, SpanStatusCode } = api;
  const span = tracer.startSpan(name, {
    kind: kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
    attributes: defined(attributes),
  });
  const recording = new RecordingSpan(span, SpanStatusCode);
  try {
    return await context.with(trace.setSpan(context.active(), span), () => work(recording));
  } catch (error) {
    recording.fail(failureCode(error));
    throw error;
  } finally {
    span.end();
  }
}
