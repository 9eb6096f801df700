/**
 * Finds the discouraged phrases in a text. A pattern is tried on its own; plain phrases are
 * looked for with `includes` while they are few, and in one pass over the text (an Aho–Corasick
 * automaton over UTF-16 code units) when a hall adds many: the cost then stays linear in the
 * text whatever the length of the list. Both ways find exactly the same phrases.
 */
import { type DiscouragedPhrase, findDiscouraged } from './discouraged-phrases.js';

/** Up to this many plain phrases, each is looked for on its own (`includes` is fastest then). */
export const ONE_PASS_THRESHOLD = 16;

/** The phrases found in a text: index in the list → the text found. */
export type PhraseFinder = (text: string) => ReadonlyMap<number, string>;

/** The automaton of a list of plain phrases. */
interface Automaton {
  /** Per node: the next node by code unit. Node 0 is the root. */
  readonly next: Map<number, number>[];
  /** Per node: the node of its longest proper suffix in the automaton. */
  readonly fail: number[];
  /** Per node: the phrases (indexes in the list) that end there. */
  readonly ends: (readonly number[] | undefined)[];
  /** Per node: the nearest node along `fail` where a phrase ends (0: none). */
  readonly output: number[];
  /** Per node: the last scan that reported its phrases (a node's phrases are reported once). */
  readonly reported: number[];
}

function buildAutomaton(phrases: readonly (readonly [index: number, phrase: string])[]): Automaton {
  const next: Map<number, number>[] = [new Map<number, number>()];
  const ends: number[][] = [];
  for (const [index, phrase] of phrases) {
    let node = 0;
    for (let position = 0; position < phrase.length; position++) {
      const unit = phrase.charCodeAt(position);
      let child = next[node]?.get(unit);
      if (child === undefined) {
        child = next.length;
        next.push(new Map<number, number>());
        next[node]?.set(unit, child);
      }
      node = child;
    }
    (ends[node] ??= []).push(index);
  }
  const fail = new Array<number>(next.length).fill(0);
  const output = new Array<number>(next.length).fill(0);
  // Breadth first: a node's suffix is shorter, so it is done before the node.
  const queue = [...(next[0]?.values() ?? [])];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head] ?? 0;
    for (const [unit, child] of next[node] ?? []) {
      let suffix = fail[node] ?? 0;
      let target = next[suffix]?.get(unit);
      while (target === undefined && suffix !== 0) {
        suffix = fail[suffix] ?? 0;
        target = next[suffix]?.get(unit);
      }
      const link = target === undefined || target === child ? 0 : target;
      fail[child] = link;
      output[child] = ends[link] === undefined ? (output[link] ?? 0) : link;
      queue.push(child);
    }
  }
  return { next, fail, ends, output, reported: new Array<number>(next.length).fill(0) };
}

/** Every phrase of the automaton in `text`, by index, each found once; stops when all are. */
function scan(
  automaton: Automaton,
  text: string,
  count: number,
  scanId: number,
  found: Map<number, string>,
  phraseAt: ReadonlyMap<number, string>,
): void {
  const { next, fail, ends, output, reported } = automaton;
  let node = 0;
  let left = count;
  for (let position = 0; position < text.length && left > 0; position++) {
    const unit = text.charCodeAt(position);
    let target = next[node]?.get(unit);
    while (target === undefined && node !== 0) {
      node = fail[node] ?? 0;
      target = next[node]?.get(unit);
    }
    node = target ?? 0;
    // Each node's phrases are reported at most once per scan: linear in the text.
    for (
      let end = ends[node] === undefined ? (output[node] ?? 0) : node;
      end !== 0 && reported[end] !== scanId;
      end = output[end] ?? 0
    ) {
      reported[end] = scanId;
      for (const index of ends[end] ?? []) {
        found.set(index, phraseAt.get(index) ?? '');
        left -= 1;
      }
    }
  }
}

/** A finder of the phrases of `phrases` (in the linter's full form) in any text. */
export function phraseFinder(phrases: readonly DiscouragedPhrase[]): PhraseFinder {
  const patterns: number[] = [];
  const plain: [number, string][] = [];
  phrases.forEach((phrase, index) => {
    if (typeof phrase.match !== 'string') patterns.push(index);
    // An empty phrase is found nowhere (as `findDiscouraged` has it).
    else if (phrase.match !== '') plain.push([index, phrase.match]);
  });
  const onePass = plain.length > ONE_PASS_THRESHOLD ? buildAutomaton(plain) : undefined;
  const phraseAt = new Map(plain);
  let scans = 0;
  return (text) => {
    const found = new Map<number, string>();
    if (onePass === undefined) {
      for (const [index, phrase] of plain) if (text.includes(phrase)) found.set(index, phrase);
    } else {
      scans += 1;
      scan(onePass, text, plain.length, scans, found, phraseAt);
    }
    for (const index of patterns) {
      const phrase = phrases[index];
      const match = phrase === undefined ? undefined : findDiscouraged(text, phrase);
      if (match !== undefined) found.set(index, match);
    }
    return found;
  };
}
