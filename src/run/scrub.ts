/**
 * Scrubbing the lines of a report: every string of a {@link DeliveryResult} passed through the
 * run's {@link Redactor}, without copying a line none of whose strings carries a secret. A large
 * hall's report is scrubbed line by line as each delivery ends and once more when the report is
 * made (secrets learned later are scrubbed from earlier lines too); copying every line twice was
 * most of the garbage a run made.
 */
import type { PostRef } from '../adapter.js';
import type { Redactor } from '../redact.js';
import type { DeliveryResult } from './types.js';

/** The string fields of a result. */
const STRING_FIELDS = [
  'deliveryId',
  'accountId',
  'memberId',
  'platform',
  'handle',
  'action',
  'performed',
  'status',
  'remoteId',
  'url',
  'via',
  'startedAt',
  'finishedAt',
  'errorCode',
  'errorMessage',
  'duplicateOf',
  'advice',
  'text',
  'note',
] as const satisfies readonly (keyof DeliveryResult)[];

/** Every field {@link scrubResult} knows: the others are scrubbed with `redactor.deep`. */
const KNOWN_FIELDS: ReadonlySet<string> = new Set<string>([
  ...STRING_FIELDS,
  'ref',
  'attempts',
  'durationMs',
]);

/** A post reference scrubbed; the same object when nothing in it changes. */
function scrubRef(redactor: Redactor, ref: PostRef): PostRef {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(ref)) {
    if (typeof value !== 'string') continue;
    const clean = redactor.string(value);
    if (clean === value) continue;
    copy ??= { ...ref };
    copy[key] = clean;
  }
  return copy === undefined ? ref : (copy as unknown as PostRef);
}

/**
 * A result with every string scrubbed, as `redactor.deep` would return it; the same object when
 * no string changes (the usual case), so nothing is copied.
 */
export function scrubResult<T extends DeliveryResult>(redactor: Redactor, result: T): T {
  let copy: Record<string, unknown> | undefined;
  for (const field of STRING_FIELDS) {
    const value = result[field];
    if (typeof value !== 'string') continue;
    const clean = redactor.string(value);
    if (clean === value) continue;
    copy ??= { ...result } as Record<string, unknown>;
    copy[field] = clean;
  }
  if (result.ref !== undefined) {
    const ref = scrubRef(redactor, result.ref);
    if (ref !== result.ref) {
      copy ??= { ...result } as Record<string, unknown>;
      copy.ref = ref;
    }
  }
  // Fields this list does not name (none today) are scrubbed the thorough way.
  for (const key of Object.keys(result)) {
    if (KNOWN_FIELDS.has(key)) continue;
    copy ??= { ...result } as Record<string, unknown>;
    copy[key] = redactor.deep(result[key as keyof T]);
  }
  return (copy ?? result) as T;
}
