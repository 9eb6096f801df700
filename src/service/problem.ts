/**
 * Errors as `application/problem+json` (RFC 9457): `type`, `title`, `status`, `detail`, and
 * `issues` (`[{ path, message }]`) for invalid input. A detail is written from facts the library
 * chose to include; an unexpected error says only that it happened (no stack, no message).
 */
import type { InputIssue } from '../errors.js';
import { ReleaseHallError } from '../errors.js';

/** The statuses the service answers errors with. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500 | 503;

const TITLES: Readonly<Record<ProblemStatus, string>> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'Conflict',
  413: 'Content too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** The body of a problem response. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: ProblemStatus;
  readonly detail: string;
  readonly issues?: readonly InputIssue[];
}

/** Builds a problem; `kind` names it in `type` (e.g. `idempotency-mismatch`). */
export function problem(
  status: ProblemStatus,
  kind: string,
  detail: string,
  issues?: readonly InputIssue[],
): Problem {
  return {
    type: `https://release-hall.dev/problems/${kind}`,
    title: TITLES[status],
    status,
    detail,
    ...(issues === undefined || issues.length === 0 ? {} : { issues }),
  };
}

/** A problem as a response. */
export function problemResponse(value: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status: value.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** Thrown inside a route to answer with a problem. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** The message of a release-hall error without its `[release-hall]` prefix. */
function plainMessage(error: ReleaseHallError): string {
  return error.message.replace(/^\[release-hall\]\s*/, '');
}

/**
 * What a route's call into the publisher failed with, as a problem. `refusal` is the status of
 * an `INVALID_INPUT` refusal: 400 for a request's content, 409 for an operation a campaign's state
 * does not allow. A refusal by the publish gate (issues under `gate`) is 422.
 */
export function problemOf(error: unknown, refusal: 400 | 409 = 400): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (!ReleaseHallError.isInstance(error)) {
    return problem(500, 'internal', 'the service failed unexpectedly; the log has the details');
  }
  if (error.code === 'INVALID_INPUT' || error.code === 'CONTENT_REJECTED') {
    const gate = error.issues.some(
      (issue) => issue.path === 'gate' || issue.path.startsWith('gate.'),
    );
    if (gate) return problem(422, 'gate-refused', plainMessage(error), error.issues);
    return problem(
      refusal,
      refusal === 409 ? 'conflict' : 'invalid-input',
      plainMessage(error),
      error.issues,
    );
  }
  if (error.code === 'TRANSIENT') {
    return problem(503, 'unavailable', plainMessage(error));
  }
  return problem(500, error.code.toLowerCase().replace(/_/g, '-'), plainMessage(error));
}
