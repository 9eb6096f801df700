/**
 * The summary rule: which sentences or clauses of a statement go into a rendition that cannot hold
 * it whole. Generic over how a rendition is composed and counted, so short posts, article digests
 * and article bodies share one rule:
 *
 * 1. every key fact, in the order the statement lists them, by the smallest run of whole clauses
 *    that holds it (a key fact already in the mandatory text, e.g. the headline, needs nothing);
 * 2. those clause runs grown back to their whole sentences, most important first;
 * 3. the `extras` in their order (a short post's issuer and time, then its topics);
 * 4. the other sentences whole, most important first;
 * 5. the `trailing` extras (a member's sign-off).
 *
 * Each step is taken only when the composed rendition still fits. Cuts fall only between
 * sentences or clauses, never inside a protected span (see `split-text.ts`). Picked pieces are shown
 * in reading order.
 */
import type { StatementDocument } from './templates.js';
import {
  LINK_PATTERN,
  closeSentence,
  containsFact,
  splitClauses,
  splitSentences,
} from './split-text.js';

/** One sentence a rendition may use. */
export interface Unit {
  /** Position in reading order. */
  readonly id: number;
  readonly text: string;
  /** The clauses of the sentence; joined they give `text`. */
  readonly clauses: readonly string[];
  readonly rank: number;
  readonly paragraph: number;
  /** Whether short renditions use it when it holds no key fact. */
  readonly short: boolean;
}

/** A run of clauses `[from, to)` of a unit; the whole sentence is `[0, clauses.length)`. */
export interface Pick {
  readonly from: number;
  readonly to: number;
}

/** The pieces chosen so far: unit id → clause run. */
export type Choice = ReadonlyMap<number, Pick>;

/** The sentences of a document, each split into clauses, in reading order. */
export function documentUnits(document: StatementDocument, names: readonly string[]): Unit[] {
  const units: Unit[] = [];
  document.parts.forEach((part) => {
    splitSentences(part.text, names).forEach((sentence, index) => {
      units.push({
        id: units.length,
        text: sentence,
        clauses: splitClauses(sentence, names),
        rank: part.rank + index / 1_000_000,
        paragraph: part.paragraph,
        short: part.short,
      });
    });
  });
  return units;
}

const isWhole = (unit: Unit, pick: Pick): boolean =>
  pick.from === 0 && pick.to === unit.clauses.length;

/** The text of a picked run: the sentence itself when whole, else its clauses closed with 。. */
export function pickText(unit: Unit, pick: Pick): string {
  if (isWhole(unit, pick)) return unit.text;
  return closeSentence(unit.clauses.slice(pick.from, pick.to).join(''));
}

/**
 * The picked pieces in reading order, with their paragraphs. Visits only the picked units, so a
 * short rendition of a long statement costs what the rendition holds, not what the statement holds.
 */
export function pickedPieces(
  units: readonly Unit[],
  choice: Choice,
): { readonly text: string; readonly paragraph: number }[] {
  const pieces: { readonly text: string; readonly paragraph: number }[] = [];
  for (const id of [...choice.keys()].sort((a, b) => a - b)) {
    const unit = units[id]?.id === id ? units[id] : units.find((candidate) => candidate.id === id);
    const pick = choice.get(id);
    if (unit !== undefined && pick !== undefined) {
      pieces.push({ text: pickText(unit, pick), paragraph: unit.paragraph });
    }
  }
  return pieces;
}

/** Offset of the first occurrence of `fact` in `text` that is not inside a link. */
function factOffset(text: string, fact: string): number | undefined {
  const links = Array.from(text.matchAll(LINK_PATTERN), (match) => ({
    start: match.index,
    end: match.index + match[0].length,
  }));
  const factIsLink = links.some((link) => text.slice(link.start, link.end) === fact);
  let from = text.indexOf(fact);
  while (from !== -1) {
    const at = from;
    if (factIsLink || !links.some((link) => at < link.end && at + fact.length > link.start)) {
      return from;
    }
    from = text.indexOf(fact, from + 1);
  }
  return undefined;
}

/** The smallest run of clauses of `unit` that holds the first occurrence of `fact` outside links. */
export function runHolding(unit: Unit, fact: string): Pick | undefined {
  const start = factOffset(unit.text, fact);
  if (start === undefined) return undefined;
  const end = start + fact.length;
  let offset = 0;
  let from = -1;
  let to = -1;
  unit.clauses.forEach((clause, index) => {
    const clauseEnd = offset + clause.length;
    if (from === -1 && start < clauseEnd) from = index;
    if (to === -1 && end <= clauseEnd) to = index + 1;
    offset = clauseEnd;
  });
  if (from === -1 || to === -1) return undefined;
  return { from, to };
}

const whole = (unit: Unit): Pick => ({ from: 0, to: unit.clauses.length });

/**
 * Adds units in order as {@link selectUnits} step 4 does one by one, but in runs: a unit larger than
 * the room left is passed over without an attempt, and after a success the next run is twice as
 * long (halved again when a run does not fit). The outcome is the one-by-one outcome whenever the
 * size grows with every added piece.
 */
function takeInRuns(
  units: readonly Unit[],
  bound: { readonly measure: (text: string) => number; readonly max: number },
  step: { size(): number; attemptAll(run: readonly Unit[]): boolean },
): void {
  let index = 0;
  let length = 1;
  while (index < units.length) {
    const room = bound.max - step.size();
    const run: Unit[] = [];
    let runSize = 0;
    let end = index;
    for (; end < units.length && run.length < length; end += 1) {
      const unit = units[end] as Unit;
      const size = bound.measure(unit.text);
      if (size > room && run.length === 0) {
        // Cannot fit now, nor later: the room only shrinks.
        index = end + 1;
        continue;
      }
      if (runSize + size > room) break;
      run.push(unit);
      runSize += size;
    }
    if (run.length === 0) break;
    if (step.attemptAll(run)) {
      index = end;
      length *= 2;
    } else if (run.length > 1) {
      length = Math.max(1, Math.floor(run.length / 2));
    } else {
      index = end;
      length = 1;
    }
  }
}

const merge = (a: Pick | undefined, b: Pick): Pick =>
  a === undefined ? b : { from: Math.min(a.from, b.from), to: Math.max(a.to, b.to) };

/** What {@link selectUnits} works with. */
export interface SelectOptions<Extra extends string> {
  readonly units: readonly Unit[];
  /** Facts to carry first, most important first. */
  readonly keyFacts: readonly string[];
  /** Optional elements taken after the key facts, in this order. */
  readonly extras?: readonly Extra[];
  /** Optional elements taken after every other sentence, in this order. */
  readonly trailing?: readonly Extra[];
  /** Whether the other sentences may include those marked full-text only. @default false */
  readonly includeFullOnly?: boolean;
  /** The rendition for a choice. */
  compose(choice: Choice, extras: ReadonlySet<Extra>): string;
  /** Whether a composed rendition fits. */
  fits(text: string): boolean;
  /**
   * A size that every fitting rendition keeps within `max`, and that adding a piece grows by at
   * least the piece's own size (true of article HTML measured in characters: escaping and
   * paragraph tags only add). With it, a sentence that cannot fit is passed over without composing
   * the rendition, and long runs of sentences that fit are taken in a few steps, so a statement of
   * thousands of sentences is summarised in time linear in its length.
   */
  readonly bound?: { readonly measure: (text: string) => number; readonly max: number };
}

/** What {@link selectUnits} chose. */
export interface Selection<Extra extends string> {
  readonly choice: Choice;
  readonly extras: ReadonlySet<Extra>;
  readonly text: string;
}

/**
 * Chooses sentences and clauses by the summary rule (see the module comment). The mandatory part
 * of the rendition (what `compose` gives for an empty choice) must fit; the caller checks it.
 */
export function selectUnits<Extra extends string>(options: SelectOptions<Extra>): Selection<Extra> {
  const { units } = options;
  let choice = new Map<number, Pick>();
  let extras = new Set<Extra>();
  let text = options.compose(choice, extras);

  const attempt = (nextChoice: Map<number, Pick>, nextExtras: Set<Extra>): boolean => {
    const candidate = options.compose(nextChoice, nextExtras);
    if (!options.fits(candidate)) return false;
    choice = nextChoice;
    extras = nextExtras;
    text = candidate;
    return true;
  };
  const withPick = (unit: Unit, pick: Pick): Map<number, Pick> =>
    new Map(choice).set(unit.id, pick);
  const byRank = (a: Unit, b: Unit): number =>
    Number(b.short) - Number(a.short) || a.rank - b.rank || a.id - b.id;

  // 1. Key facts by their smallest clause runs.
  for (const fact of options.keyFacts) {
    if (containsFact(text, fact)) continue;
    const holders = units.filter((unit) => containsFact(unit.text, fact)).sort(byRank);
    for (const unit of holders) {
      const run = runHolding(unit, fact);
      if (run !== undefined && attempt(withPick(unit, merge(choice.get(unit.id), run)), extras)) {
        break;
      }
    }
  }
  // 2. Grow those runs to whole sentences, most important first.
  for (const unit of units.filter((candidate) => choice.has(candidate.id)).sort(byRank)) {
    const pick = choice.get(unit.id);
    if (pick !== undefined && !isWhole(unit, pick)) {
      attempt(withPick(unit, { from: 0, to: unit.clauses.length }), extras);
    }
  }
  // 3. Extras.
  for (const extra of options.extras ?? []) attempt(choice, new Set(extras).add(extra));
  // 4. The other sentences whole, most important first.
  const others = units
    .filter((unit) => options.includeFullOnly === true || unit.short)
    .sort((a, b) => a.rank - b.rank || a.id - b.id)
    .filter((unit) => {
      const pick = choice.get(unit.id);
      return pick === undefined || !isWhole(unit, pick);
    });
  const { bound } = options;
  if (bound === undefined) {
    for (const unit of others) attempt(withPick(unit, whole(unit)), extras);
  } else {
    takeInRuns(others, bound, {
      size: () => bound.measure(text),
      attemptAll: (run) => {
        const next = new Map(choice);
        for (const unit of run) next.set(unit.id, whole(unit));
        return attempt(next, extras);
      },
    });
  }
  // 5. Trailing extras.
  for (const extra of options.trailing ?? []) attempt(choice, new Set(extras).add(extra));
  return { choice, extras, text };
}

/** Parts ordered by importance: those holding a key fact first, then the rest in their order. */
export function orderByKeyFacts(keyFacts: readonly string[], parts: readonly string[]): string[] {
  const keyed = parts.filter((part) => keyFacts.some((fact) => containsFact(part, fact)));
  return [...keyed, ...parts.filter((part) => !keyed.includes(part))];
}
