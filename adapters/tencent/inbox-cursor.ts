/**
 * What the Tencent inbox cursor holds for one list (platforms-listening.md §2.1). Tencent pages by
 * time in whole seconds, and many items may share one second, so a place in a list is a second
 * and the ids already read at that second:
 *
 * - `<list key>` = a mark `<seconds>:<id>,<id>,…`: everything older than that second is read, and
 *   at that second the ids listed; anything newer, or at that second with another id, is new.
 * - `<list key>:gap` = `<mark>|<mark>`: after a read cut at `maxItems`, the stretch still unread,
 *   older than the second mark (the cut: its second, the ids read at it, the last one being where
 *   the next page starts) and newer than the first (the cursor before the cut read).
 */

/** A second and the ids read at it. */
export interface Mark {
  readonly time: number;
  readonly ids: readonly string[];
}

/** A stretch still to read: newer than `after`, older than `cut`. */
export interface Gap {
  readonly after: Mark;
  /** The cut; its last id is the `lastid` the next page starts after. */
  readonly cut: Mark;
}

const MARK = /^(\d+):(\d+(?:,\d+)*)?$/;

/** A mark as the cursor keeps it. */
export function formatMark(mark: Mark): string {
  return `${mark.time}:${mark.ids.join(',')}`;
}

/** Reads a mark; `undefined` when it is not one. */
export function parseMark(value: string | undefined): Mark | undefined {
  const match = value === undefined ? null : MARK.exec(value);
  if (match?.[1] === undefined) return undefined;
  const time = Number(match[1]);
  if (!Number.isSafeInteger(time)) return undefined;
  return { time, ids: match[2] === undefined ? [] : match[2].split(',') };
}

/** A gap as the cursor keeps it. */
export function formatGap(gap: Gap): string {
  return `${formatMark(gap.after)}|${formatMark(gap.cut)}`;
}

/** Reads a gap; `undefined` when it is not one (a cut needs at least one id). */
export function parseGap(value: string | undefined): Gap | undefined {
  const [after, cut, rest] = value?.split('|') ?? [];
  const parsedAfter = parseMark(after);
  const parsedCut = parseMark(cut);
  if (rest !== undefined || parsedAfter === undefined || parsedCut === undefined) return undefined;
  if (parsedCut.ids.length === 0 || parsedCut.time < parsedAfter.time) return undefined;
  return { after: parsedAfter, cut: parsedCut };
}

/** The cursor key of a list's gap. */
export function gapKey(key: string): string {
  return `${key}:gap`;
}

/** Whether an item at `time` with `id` is read by the mark (older, or listed at its second). */
export function isRead(mark: Mark, time: number, id: string): boolean {
  return time < mark.time || (time === mark.time && mark.ids.includes(id));
}

/** The mark with `ids` read at its second added (ids at other seconds are left out). */
export function withRead(mark: Mark, read: readonly { time: number; id: string }[]): Mark {
  const added = read
    .filter((item) => item.time === mark.time && !mark.ids.includes(item.id))
    .map((item) => item.id);
  return added.length === 0 ? mark : { time: mark.time, ids: [...mark.ids, ...new Set(added)] };
}
