/**
 * Idempotency of `POST /v1/campaigns`. The campaign id is derived from the caller's key id and
 * its `Idempotency-Key`, so one key names at most one campaign; the hash of the request body is
 * journaled in the audit trail (a `request` entry) before the campaign is created. A repeat with
 * the same body is answered with that campaign; one with another body is refused.
 *
 * Races: in one process, identical requests share one start (a map of starts in flight). Across
 * processes sharing a journal, the journal refuses a second campaign with the same id; the loser
 * reads the first `request` entry of the campaign and answers as a repeat (or a mismatch).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../gate/approvals.js';
import type { Journal } from '../journal/journal.js';

/** What an `Idempotency-Key` may look like: 1 to 200 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The campaign id a key's `Idempotency-Key` names: `api-` and 16 hex digits. */
export function campaignIdFor(keyId: string, idempotencyKey: string): string {
  return `api-${sha256(`${keyId}\n${idempotencyKey}`).slice(0, 16)}`;
}

/** The hash of a request body, independent of the order of its keys. */
export function bodyHashOf(body: unknown): string {
  return sha256(canonicalJson(body));
}

/** The body hash of the first request journaled for a campaign, if any. */
export async function recordedBodyHash(
  journal: Journal,
  campaignId: string,
): Promise<string | undefined> {
  const entries = await journal.getAudit(campaignId);
  for (const entry of entries) {
    const hash = entry.detail?.bodyHash;
    if (entry.action === 'request' && typeof hash === 'string') return hash;
  }
  return undefined;
}
