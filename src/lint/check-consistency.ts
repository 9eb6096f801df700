/**
 * The consistency check across all members' renditions: every account must say the same thing.
 *
 * Two checks, both kept simple so a finding can be explained in one sentence:
 *
 * - **Key facts.** A post (not a relay comment) that lacks a key fact is an error when it had room
 *   for it: the rendition the renderer makes for that account from the statement carries it (when
 *   the hall, the member and the platform's profile are known); else its text plus the smallest
 *   clause that holds the fact still fits the platform; else, with no profile, the post claims to
 *   be the whole statement. A post with no room must at least link to the full text.
 * - **Number slots.** Each rendition is cut into clauses; a clause with its numbers replaced by `#`
 *   is its slot (可拨打#市民服务热线咨询). When the statement itself has that slot, a rendition
 *   whose numbers in it differ from the statement's is an error. When only renditions have the slot,
 *   the numbers most accounts use are taken as right and the others are flagged.
 */
import type { Rendition } from '../adapter.js';
import { LINK_LEAD } from '../render/render-text.js';
import {
  LINK_PATTERN,
  NUMBER_PATTERN,
  containsFact,
  splitClauses,
  splitParagraphs,
  splitSentences,
} from '../render/split-text.js';
import { type Unit, pickText, runHolding } from '../render/summarise.js';
import { type PlatformLimits } from '../render/fit-profile.js';
import type { LintFinding, LintRendition } from './lint-types.js';

/** A clause with numbers, reduced to its slot. */
export interface NumberSlot {
  /** The clause with every number replaced by `#` and its end mark removed. */
  readonly slot: string;
  /** The numbers in the clause, in order. */
  readonly numbers: readonly string[];
  /** The clause as written. */
  readonly clause: string;
}

/**
 * The number slots of a text. Links, `【…】` prefixes and `#topic#` marks are left out first, so
 * the same sentence yields the same slot on every account. `memo` keeps the slots of each
 * paragraph already seen: the renditions of one statement share most of their paragraphs, so a
 * hall's check cuts each paragraph into clauses once, not once per account.
 */
export function numberSlots(
  text: string,
  memo: Map<string, readonly NumberSlot[]> = new Map(),
): NumberSlot[] {
  const cleaned = text
    .replace(LINK_PATTERN, ' ')
    .replace(/【[^】]*】/gu, '')
    .replace(/#[^#\s]+#/gu, '')
    .replaceAll(LINK_LEAD.trim(), '')
    // A closing bracket ends a clause: the issuer-and-time signature is a slot of its own.
    .replace(/([）)])/gu, '$1\n');
  const slots: NumberSlot[] = [];
  for (const paragraph of splitParagraphs(cleaned)) {
    let known = memo.get(paragraph);
    if (known === undefined) {
      known = paragraphSlots(paragraph);
      memo.set(paragraph, known);
    }
    slots.push(...known);
  }
  return slots;
}

/** The number slots of one paragraph (no line break inside). */
function paragraphSlots(paragraph: string): NumberSlot[] {
  const slots: NumberSlot[] = [];
  for (const sentence of splitSentences(paragraph)) {
    for (const raw of splitClauses(sentence)) {
      const clause = raw.trim();
      const numbers = clause.match(NUMBER_PATTERN) ?? [];
      if (numbers.length === 0) continue;
      // Brackets and quotes around a clause do not change what it says: （…可拨打12346…） is the
      // same slot as 可拨打12345….
      const slot = clause
        .replace(NUMBER_PATTERN, '#')
        .replace(/^[（(“"‘'「『\s]+/u, '')
        .replace(/[，、：,:。！？!?；;）)”"’'」』\s]+$/u, '');
      // A slot needs words around its numbers to be comparable.
      if (slot.replaceAll('#', '').trim().length < 2) continue;
      slots.push({ slot, numbers, clause });
    }
  }
  return slots;
}

/** The text of article HTML: tags become line breaks, entities are decoded. */
function htmlText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '\n')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
}

/** The text a rendition shows, for the checks (an article: title, digest and content as text). */
export function renditionText(rendition: Rendition): string {
  return rendition.format === 'text'
    ? rendition.text
    : `${rendition.title}\n${rendition.digest}\n${htmlText(rendition.html)}`;
}

const where = (entry: LintRendition): string =>
  `renditions[${entry.accountId}].${entry.rendition.format === 'text' ? 'text' : 'html'}`;

/** What the consistency check needs to know about the statement. */
export interface ConsistencyInput {
  readonly keyFacts: readonly string[];
  readonly link: string | undefined;
  /** Texts of the statement itself (headline, parts, signature), the reference for number slots. */
  readonly reference: readonly string[];
  /** The statement's sentences, to find the smallest clause holding a key fact. */
  readonly units: readonly Unit[];
  readonly renditions: readonly LintRendition[];
  readonly limitsFor: (platform: string) => PlatformLimits | undefined;
  /** The rendition the account would get from the statement, when it can be worked out. */
  readonly expected?: (entry: LintRendition) => Rendition | undefined;
}

function carriers(units: readonly Unit[], fact: string): string[] {
  const texts = units.flatMap((unit) => {
    const run = runHolding(unit, fact);
    return run === undefined ? [] : [pickText(unit, run)];
  });
  return texts.length === 0 ? [fact] : texts;
}

/** Key facts missing from posts that had room for them, or that cannot carry them and give no link. */
export function checkKeyFacts(input: ConsistencyInput): LintFinding[] {
  const findings: LintFinding[] = [];
  const posts = input.renditions.filter((entry) => (entry.action ?? 'post') === 'post');
  for (const fact of input.keyFacts) {
    if (fact === '') continue;
    const holds = (entry: LintRendition): boolean =>
      entry.rendition.format === 'text'
        ? containsFact(entry.rendition.text, fact)
        : containsFact(htmlText(entry.rendition.html), fact);
    const carrying = posts.filter(holds).length;
    const smallest = carriers(input.units, fact);
    for (const entry of posts) {
      if (holds(entry)) continue;
      const others = `${carrying} other rendition${carrying === 1 ? '' : 's'} carr${carrying === 1 ? 'ies' : 'y'} it`;
      const rendition = entry.rendition;
      const expected = input.expected?.(entry);
      let hadRoom: boolean;
      if (expected !== undefined) {
        hadRoom = holds({ ...entry, rendition: expected });
      } else if (rendition.format === 'article') {
        hadRoom = true;
      } else {
        const profile = input.limitsFor(entry.platform)?.text;
        hadRoom =
          profile === undefined
            ? !rendition.summarised
            : smallest.some(
                (carrier) => profile.count(`${rendition.text}${carrier}`) <= profile.maxLength,
              );
      }
      if (hadRoom) {
        findings.push({
          severity: 'error',
          rule: 'key-fact-inconsistent',
          path: where(entry),
          accountId: entry.accountId,
          message: `key fact "${fact}" is missing or altered in ${entry.accountId} although it has room for it (${others})`,
          fix: `render this account's text again from the statement, or restore "${fact}" exactly as the statement writes it`,
        });
      } else if (input.link !== undefined && !renditionText(rendition).includes(input.link)) {
        findings.push({
          severity: 'error',
          rule: 'key-fact-inconsistent',
          path: where(entry),
          accountId: entry.accountId,
          message: `key fact "${fact}" does not fit ${entry.accountId} and its text does not link to the full text (${others})`,
          fix: `end the text with the full-text link ${input.link}`,
        });
      }
    }
  }
  return findings;
}

/** Renditions whose numbers differ from the statement's (or from most accounts') in the same slot. */
export function checkNumberSlots(input: ConsistencyInput): LintFinding[] {
  const reference = new Map<string, Map<string, string>>();
  const memo = new Map<string, readonly NumberSlot[]>();
  for (const text of input.reference) {
    for (const { slot, numbers, clause } of numberSlots(text, memo)) {
      const tuples = reference.get(slot) ?? new Map<string, string>();
      tuples.set(numbers.join(' '), clause);
      reference.set(slot, tuples);
    }
  }
  interface Seen {
    readonly entry: LintRendition;
    readonly tuple: string;
    readonly clause: string;
  }
  const bySlot = new Map<string, Seen[]>();
  for (const entry of input.renditions) {
    const text = renditionText(entry.rendition);
    for (const { slot, numbers, clause } of numberSlots(text, memo)) {
      const seen = bySlot.get(slot) ?? [];
      seen.push({ entry, tuple: numbers.join(' '), clause });
      bySlot.set(slot, seen);
    }
  }

  const findings: LintFinding[] = [];
  const reported = new Set<string>();
  const report = (seen: Seen, expected: string, source: string): void => {
    const key = `${seen.entry.accountId}\n${seen.clause}`;
    if (reported.has(key)) return;
    reported.add(key);
    findings.push({
      severity: 'error',
      rule: 'number-mismatch',
      path: where(seen.entry),
      accountId: seen.entry.accountId,
      message: `${seen.entry.accountId} says "${seen.clause}" (${seen.tuple}) where ${source} "${expected}"`,
      fix: 'use the numbers of the statement: render this account again or correct the number by hand',
    });
  };
  for (const [slot, seen] of bySlot) {
    const known = reference.get(slot);
    if (known !== undefined) {
      const expected = [...known.values()].join('” / “');
      for (const item of seen)
        if (!known.has(item.tuple)) report(item, expected, 'the statement says');
      continue;
    }
    const accountsByTuple = new Map<string, Set<string>>();
    for (const item of seen) {
      const accounts = accountsByTuple.get(item.tuple) ?? new Set<string>();
      accounts.add(item.entry.accountId);
      accountsByTuple.set(item.tuple, accounts);
    }
    if (accountsByTuple.size < 2) continue;
    const [majority] = [...accountsByTuple].sort((a, b) => b[1].size - a[1].size);
    if (majority === undefined) continue;
    const example = seen.find((item) => item.tuple === majority[0])?.clause ?? majority[0];
    for (const item of seen) {
      if (item.tuple !== majority[0]) {
        report(
          item,
          example,
          `${majority[1].size} other account${majority[1].size === 1 ? '' : 's'} say`,
        );
      }
    }
  }
  return findings;
}
