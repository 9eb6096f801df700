/** The JSON bodies the service accepts, checked at the door; the publisher checks the rest. */
import { z } from 'zod';
import type { InputIssue } from '../errors.js';
import { issuesFromZod } from '../model/issues.js';
import { ProblemError, problem } from './problem.js';

const statement = z.record(z.string(), z.unknown(), {
  message: 'expected the statement as an object',
});

/** `POST /v1/preview`. */
export const previewBody = z.strictObject({
  statement,
  selection: z.record(z.string(), z.unknown()).optional(),
  mode: z.enum(['relay', 'original']).optional(),
  push: z.record(z.string(), z.unknown()).optional(),
});

/** `POST /v1/campaigns`. */
export const campaignBody = previewBody.extend({
  dryRun: z.boolean().optional(),
  gate: z.record(z.string(), z.unknown()).optional(),
});

/** `POST /v1/campaigns/{id}/pause`. */
export const pauseBody = z.strictObject({
  reason: z.string().trim().min(1, 'say why the campaign is paused (it goes in the audit trail)'),
  groups: z.array(z.string().min(1)).min(1).optional(),
});

/** `POST /v1/campaigns/{id}/resume`. */
export const resumeBody = z.strictObject({
  retryFailed: z.boolean().optional(),
  force: z.boolean().optional(),
});

/** Parses a request's text as JSON and checks it; a problem (400) otherwise. */
export function parseBody<T extends z.ZodType>(
  text: string,
  schema: T,
  options: { readonly optional?: boolean } = {},
): z.output<T> {
  let data: unknown;
  if (text.trim() === '' && options.optional === true) data = {};
  else {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ProblemError(problem(400, 'bad-json', 'the request body is not JSON'));
    }
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issues: InputIssue[] = issuesFromZod(parsed.error, data);
    throw new ProblemError(
      problem(400, 'invalid-input', 'the request body is not what this route takes', issues),
    );
  }
  return parsed.data;
}
