/**
 * The summary rule on long statements: with a size bound, sentences are taken in runs and
 * sentences too large for the room left are passed over without composing, so the number of
 * renditions composed stays small however long the statement is, and the outcome is the one
 * sentence-by-sentence greedy choice gives.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Choice, type Unit, pickedPieces, selectUnits } from '../../src/render/summarise.js';

function unitsOf(sentences: readonly string[]): Unit[] {
  return sentences.map((text, id) => ({
    id,
    text,
    clauses: [text],
    rank: id,
    paragraph: Math.floor(id / 7),
    short: true,
  }));
}

function summarise(
  units: readonly Unit[],
  max: number,
  withBound: boolean,
): { text: string; composed: number } {
  let composed = 0;
  const compose = (choice: Choice): string => {
    composed += 1;
    return pickedPieces(units, choice)
      .map((piece) => piece.text)
      .join('');
  };
  const selection = selectUnits<never>({
    units,
    keyFacts: [],
    compose,
    fits: (text) => text.length <= max,
    ...(withBound ? { bound: { measure: (text: string) => text.length, max } } : {}),
  });
  return { text: selection.text, composed };
}

describe('summarising a long statement', () => {
  it('composes a few dozen renditions for 2,000 sentences, not 2,000', () => {
    const units = unitsOf(Array.from({ length: 2_000 }, () => '经核实此消息不实。'));
    const bounded = summarise(units, 9_999, true);
    const plain = summarise(units, 9_999, false);
    expect(bounded.text).toBe(plain.text);
    expect(bounded.text.length).toBe(Math.floor(9_999 / 9) * 9);
    expect(plain.composed).toBeGreaterThan(2_000);
    expect(bounded.composed).toBeLessThan(40);
  });

  it('passes over sentences too long for the room without composing', () => {
    const sentences = ['短句。', '这是一个很长的句子，'.repeat(50) + '。', '又一短句。'];
    const units = unitsOf([...sentences, ...Array.from({ length: 1_000 }, () => sentences[1]!)]);
    const bounded = summarise(units, 100, true);
    expect(bounded.text).toBe('短句。又一短句。');
    expect(bounded.composed).toBeLessThan(10);
  });

  it('chooses what the one-by-one rule chooses', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 30 }), { maxLength: 60 }),
        fc.integer({ min: 0, max: 400 }),
        (sentences, max) => {
          const units = unitsOf(sentences);
          expect(summarise(units, max, true).text).toBe(summarise(units, max, false).text);
        },
      ),
      { numRuns: 500 },
    );
  });
});
