/**
 * A delivery's report line: built from how its run ended ({@link resultLine}) or, for a delivery
 * this run did not carry out, from its journal record ({@link resultFromRecord}).
 */
import type { PostRef } from '../adapter.js';
import { ERROR_GUIDE } from '../errors.js';
import type { DeliveryRecord, DeliveryState, JournalDelivery } from '../journal/journal.js';
import type { Account } from '../model/hall.js';
import type { Final } from './conclude.js';
import { renditionText } from './deliver.js';
import type { DeliveryResult } from './types.js';

/** The journal note naming the campaign whose post holds the same text. */
export const DUPLICATE_OF_NOTE = 'duplicate-of';

/** Builds the report line of a delivery from its journal record. */
export function resultFromRecord(
  record: DeliveryRecord,
  account: Account | undefined,
): DeliveryResult {
  const { delivery } = record;
  const status: DeliveryResult['status'] =
    record.state === 'succeeded' || record.state === 'reconciled'
      ? 'succeeded'
      : record.state === 'failed'
        ? 'failed'
        : record.state === 'skipped' || record.state === 'planned' || record.state === 'retracted'
          ? 'skipped'
          : 'unconfirmed';
  const ref: PostRef | undefined =
    record.remoteId === undefined
      ? undefined
      : {
          platform: delivery.platform,
          accountId: delivery.accountId,
          id: record.remoteId,
          ...(record.url === undefined ? {} : { url: record.url }),
        };
  const last = record.history.at(-1);
  const duplicateOf = record.notes?.[DUPLICATE_OF_NOTE];
  return {
    deliveryId: delivery.id,
    accountId: delivery.accountId,
    memberId: delivery.memberId,
    platform: delivery.platform,
    handle: account?.handle ?? delivery.accountId,
    action: delivery.action,
    performed: record.performed ?? (status === 'skipped' ? 'none' : delivery.action),
    status,
    attempts: record.attempts,
    ...(ref === undefined ? {} : { ref, remoteId: ref.id }),
    ...(record.url === undefined ? {} : { url: record.url }),
    ...(record.via === undefined
      ? record.state === 'reconciled'
        ? { via: 'reconciled' as const }
        : {}
      : { via: record.via }),
    ...(record.firstAttemptAt === undefined ? {} : { startedAt: record.firstAttemptAt }),
    ...(last === undefined ? {} : { finishedAt: last.at }),
    ...(record.errorCode === undefined || status === 'succeeded'
      ? {}
      : { errorCode: record.errorCode, advice: ERROR_GUIDE[record.errorCode].action }),
    ...(record.errorMessage === undefined || status === 'succeeded'
      ? {}
      : { errorMessage: record.errorMessage }),
    ...(duplicateOf === undefined ? {} : { duplicateOf }),
    text: renditionText(delivery.rendition),
    ...(delivery.note === undefined ? {} : { note: delivery.note }),
  };
}

/** The report line of a delivery that ended in this run (not yet scrubbed of secrets). */
export function resultLine(
  entry: JournalDelivery,
  account: Account,
  outcome: Final,
  finishedAt: Date,
): DeliveryResult {
  const { errorCode, errorMessage } = outcome;
  // Assigned one by one (no spread of conditional objects): this runs for every delivery.
  const line: { -readonly [K in keyof DeliveryResult]: DeliveryResult[K] } = {
    deliveryId: entry.id,
    accountId: account.id,
    memberId: account.memberId,
    platform: account.platform,
    handle: account.handle,
    action: entry.action,
    performed: outcome.performed,
    status: outcome.status,
    attempts: outcome.attempts,
  };
  const { ref } = outcome;
  if (ref !== undefined) {
    line.ref = ref;
    line.remoteId = ref.id;
    if (ref.url !== undefined) line.url = ref.url;
  }
  if (outcome.via !== undefined) line.via = outcome.via;
  if (outcome.startedAt !== undefined) {
    line.startedAt = outcome.startedAt;
    line.durationMs = finishedAt.getTime() - Date.parse(outcome.startedAt);
  }
  line.finishedAt = finishedAt.toISOString();
  if (errorCode !== undefined) {
    line.errorCode = errorCode;
    line.advice = ERROR_GUIDE[errorCode].action;
  }
  if (errorMessage !== undefined) line.errorMessage = errorMessage;
  if (outcome.duplicateOf !== undefined) line.duplicateOf = outcome.duplicateOf;
  if (outcome.text !== undefined) line.text = outcome.text;
  const note = outcome.note ?? entry.note;
  if (note !== undefined) line.note = note;
  return line;
}

/** The journal state a delivery's end is recorded as. */
export function journalStateOf(outcome: Final): DeliveryState {
  return (
    outcome.journalState ??
    (outcome.status === 'succeeded'
      ? outcome.via === 'reconciled'
        ? 'reconciled'
        : 'succeeded'
      : outcome.status)
  );
}
