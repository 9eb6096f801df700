/**
 * A hall's own lint settings: phrases it adds to the discouraged list, rules it switches off,
 * rules it gives another severity; checked with the hall file, and applied wherever a statement is
 * linted for the hall (lintStatement with the hall, preview, the publish gate).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MemoryJournal,
  ReleaseHallError,
  type StatementInput,
  createPublisher,
  lintStatement,
  resolveHall,
} from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { findDiscouraged, toDiscouragedPhrase } from '../../src/lint/discouraged-phrases.js';
import { ONE_PASS_THRESHOLD, phraseFinder } from '../../src/lint/find-phrases.js';
import { LINT_RULES, type LintFinding } from '../../src/lint/lint-types.js';
import { CONFIGURABLE_LINT_RULES, lintSettingsSchema } from '../../src/lint/lint-settings.js';
import { memoryHall, rebuttal, testCredentials } from '../helpers/fixtures.js';

const memory = createMemoryAdapter();

/** The memory hall with these lint settings, checked as a hall file is. */
const hallWith = (lint: unknown) => resolveHall({ ...memoryHall(1), lint }, [memory]).hall;

/** A rebuttal the linter finds nothing in. */
const clean: StatementInput = {
  ...rebuttal,
  evidence: '经测试市交通委员会核实，截至11月26日9时，各线路运行平稳。',
};
const saying = (body: string, extra: Partial<StatementInput> = {}): StatementInput => ({
  ...clean,
  body: `${clean.body}${body}`,
  ...extra,
});

const brief = (findings: readonly LintFinding[]): string[] =>
  findings.map((finding) => `${finding.severity} ${finding.rule} ${finding.path}`);

function refusal(run: () => unknown): ReleaseHallError {
  try {
    run();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an INVALID_INPUT error');
}

const AGENCY = { phrase: '有关部门', suggestion: '写明具体部门名称', severity: 'error' } as const;

describe('hall phrases', () => {
  it('the statement without settings lints clean', () => {
    expect(brief(lintStatement(clean, { hall: hallWith(undefined) }).findings)).toEqual([]);
  });

  it('finds a hall phrase with its suggestion and severity', () => {
    const hall = hallWith({ discouragedPhrases: [AGENCY] });
    const result = lintStatement(saying('有关部门表示将加强巡查。'), { hall });
    expect(result.ok).toBe(false);
    expect(result.findings).toEqual([
      {
        severity: 'error',
        rule: 'discouraged-phrase',
        path: 'body',
        message: `"有关部门" in body: "有关部门" is on the hall's list of discouraged phrases`,
        fix: '写明具体部门名称',
        phrase: '有关部门',
      },
    ]);
    // Not found where it is not written, nor in the quoted rumor.
    expect(lintStatement(clean, { hall }).findings).toEqual([]);
    expect(lintStatement({ ...clean, rumor: '有关部门说地铁停运' }, { hall }).ok).toBe(true);
  });

  it('without a severity, a phrase is weighed by urgency like the built-in chatty ones', () => {
    const hall = hallWith({
      discouragedPhrases: [{ phrase: '据说', reason: 'hearsay', suggestion: '写明消息来源' }],
    });
    const statement = saying('据说今晚有雨。');
    expect(brief(lintStatement(statement, { hall }).findings)).toEqual([
      'warning discouraged-phrase body',
    ]);
    const crisis = lintStatement({ ...statement, urgency: 'crisis' }, { hall });
    expect(brief(crisis.findings)).toEqual(['error discouraged-phrase body']);
    expect(crisis.findings[0]).toMatchObject({
      message: '"据说" in body: hearsay (crisis statement)',
      fix: '写明消息来源',
    });
  });

  it('is found in every field and in the renditions, as a built-in phrase is', async () => {
    const input = memoryHall(1);
    const members = input.members as { signOff?: string }[];
    members[1]!.signOff = '（有关部门供稿）';
    const publisher = createPublisher({
      hall: { ...input, lint: { discouragedPhrases: [AGENCY] } },
      adapters: [createMemoryAdapter()],
      credentials: testCredentials,
    });
    const preview = await publisher.preview(
      { ...clean, facts: [...(clean.facts ?? []), '有关部门正在核查'] },
      { mode: 'original' },
    );
    expect(brief(preview.lint.findings)).toEqual([
      'error discouraged-phrase facts[2]',
      // The sign-off is not the statement: told on the account whose rendition carries it, only
      // when the statement itself does not say the phrase.
    ]);
    const signOffOnly = await publisher.preview(clean, { mode: 'original' });
    expect(brief(signOffOnly.lint.findings)).toEqual([
      'error discouraged-phrase renditions[m1/memory]',
    ]);
    expect(signOffOnly.lint.findings[0]?.fix).toBe(
      "写明具体部门名称; change the member's prefix or signOff in the hall file",
    );
  });

  it('adds to the built-in list, and a phrase written like a built-in one takes its place', () => {
    const hall = hallWith({
      discouragedPhrases: [
        { phrase: '童鞋', suggestion: '称“广大市民”', severity: 'error' },
        { phrase: '有关部门' },
      ],
    });
    const result = lintStatement(saying('各位童鞋请注意，有关部门提醒：么么哒。'), { hall });
    expect(brief(result.findings)).toEqual([
      'error discouraged-phrase body', // 童鞋: the hall's entry, once
      'warning discouraged-phrase body', // 么么哒: built in, kept
      'warning discouraged-phrase body', // 有关部门: added after the built-in ones
    ]);
    expect(result.findings.map((finding) => finding.fix)).toEqual([
      '称“广大市民”',
      expect.stringContaining('广大市民、网友'),
      'rephrase without "有关部门"',
    ]);
  });

  it('adds to a list given with `discouraged` rather than replacing it', () => {
    const hall = hallWith({ discouragedPhrases: [AGENCY] });
    const result = lintStatement(saying('据说有关部门表示。'), { hall, discouraged: ['据说'] });
    expect(brief(result.findings)).toEqual([
      'error discouraged-phrase body',
      'warning discouraged-phrase body',
    ]);
  });

  it('finds in one pass exactly what looking for each phrase finds, however long the list', () => {
    // A small alphabet, so phrases overlap, nest, repeat and share prefixes and suffixes.
    const unit = fc.constantFrom('有', '关', '部', '门', 'a', 'b', '，', '😀');
    const phrase = fc.array(unit, { minLength: 0, maxLength: 5 }).map((units) => units.join(''));
    const text = fc.array(unit, { maxLength: 80 }).map((units) => units.join(''));
    fc.assert(
      fc.property(
        // Lists both sides of the threshold where the one pass takes over.
        fc.array(phrase, { minLength: 1, maxLength: ONE_PASS_THRESHOLD * 3, size: 'max' }),
        fc.array(text, { minLength: 1, maxLength: 4 }),
        (list, texts) => {
          const phrases = [
            ...list.map(toDiscouragedPhrase),
            { match: /b门/u, reason: 'r', fix: 'f' },
          ];
          const find = phraseFinder(phrases);
          for (const sample of texts) {
            const expected = new Map<number, string>();
            phrases.forEach((entry, index) => {
              const found = findDiscouraged(sample, entry);
              if (found !== undefined) expected.set(index, found);
            });
            expect(new Map([...find(sample)].sort(([a], [b]) => a - b))).toEqual(expected);
          }
        },
      ),
      { numRuns: 400, seed: 20261126 },
    );
  });

  it('in one pass, finds the last phrase left, after a phrase said many times', () => {
    const list = ['有', '有关', '关部', '部门', '门', '有关部门', 'a', 'ab', 'b', '😀', '😀b'];
    while (list.length <= ONE_PASS_THRESHOLD) list.push(`词${list.length}`);
    const find = phraseFinder(list.map(toDiscouragedPhrase));
    const all = list.map((_, index) => index);
    expect([...find(list.join('')).keys()].sort((a, b) => a - b)).toEqual(all);
    expect([...find(`${'有'.repeat(40)}${list.join('')}`).keys()].sort((a, b) => a - b)).toEqual(
      all,
    );
    expect([...find(`${'a'.repeat(40)}😀`).keys()]).toEqual([6, 9]);
  });

  it('hundreds of near-matching phrases over a body of 50,000 characters: one pass, no false find', () => {
    // Phrases that nearly match everywhere: the worst case for a naive search (its cost is in the
    // everyday benchmark's lint figures, not timed here).
    const hall = hallWith({
      discouragedPhrases: Array.from({ length: 500 }, (_, index) => ({
        phrase: `${'运营'.repeat(40)}${index}`,
      })),
    });
    const body = '运营'.repeat(25_000);
    const none = lintStatement({ ...clean, body }, { hall });
    expect(none.findings.filter((finding) => finding.rule === 'discouraged-phrase')).toEqual([]);
    const one = lintStatement({ ...clean, body: `${body}${'运营'.repeat(40)}7。` }, { hall });
    expect(one.findings.filter((finding) => finding.rule === 'discouraged-phrase')).toHaveLength(1);
  });
});

describe('rules switched off', () => {
  it('a rule switched off says nothing, for the built-in phrases and the hall’s alike', () => {
    const statement = saying('各位童鞋，有关部门提醒。', { keyFacts: ['不在文中'] });
    const on = hallWith({ discouragedPhrases: [AGENCY] });
    expect(brief(lintStatement(statement, { hall: on }).findings)).toEqual([
      'error key-fact-not-in-text keyFacts[0]',
      'error discouraged-phrase body',
      'warning discouraged-phrase body',
    ]);
    const off = hallWith({ discouragedPhrases: [AGENCY], off: ['discouraged-phrase'] });
    expect(brief(lintStatement(statement, { hall: off }).findings)).toEqual([
      'error key-fact-not-in-text keyFacts[0]',
    ]);
    const bothOff = hallWith({ off: ['discouraged-phrase', 'key-fact-not-in-text'] });
    expect(lintStatement(statement, { hall: bothOff })).toMatchObject({
      ok: true,
      errors: 0,
      warnings: 0,
    });
  });

  it('a rule switched off does not hide what publish refuses', () => {
    const { issuer: _issuer, ...noIssuer } = clean;
    const hall = hallWith({ off: ['missing-issuer'] });
    expect(brief(lintStatement(noIssuer, { hall: hallWith(undefined) }).findings)).toEqual([
      'error missing-issuer issuer',
    ]);
    expect(brief(lintStatement(noIssuer, { hall }).findings)).toEqual([
      'error invalid-statement issuer',
    ]);
    const lowered = hallWith({ severity: { 'missing-issuer': 'warning' } });
    expect(brief(lintStatement(noIssuer, { hall: lowered }).findings)).toEqual([
      'error invalid-statement issuer',
      'warning missing-issuer issuer',
    ]);
  });

  it('settings given to lintStatement take the place of the hall’s', () => {
    const hall = hallWith({ discouragedPhrases: [AGENCY] });
    const statement = saying('有关部门表示。');
    expect(lintStatement(statement, { hall }).ok).toBe(false);
    expect(lintStatement(statement, { hall, settings: {} }).ok).toBe(true);
    expect(
      brief(
        lintStatement(clean, { settings: { discouragedPhrases: [{ phrase: '地铁' }] } }).findings,
      ),
    ).toEqual([
      'warning discouraged-phrase headline',
      'warning discouraged-phrase body',
      'warning discouraged-phrase facts[0]',
    ]);
  });
});

describe('severities', () => {
  const withKeyFact = saying('', { keyFacts: ['不在文中'] });
  const update: StatementInput = { ...clean, kind: 'update' };

  it('lowers an error to a warning and raises a warning to an error', () => {
    expect(brief(lintStatement(withKeyFact, { hall: hallWith({}) }).findings)).toEqual([
      'error key-fact-not-in-text keyFacts[0]',
    ]);
    const lowered = lintStatement(withKeyFact, {
      hall: hallWith({ severity: { 'key-fact-not-in-text': 'warning' } }),
    });
    expect(lowered).toMatchObject({ ok: true, errors: 0, warnings: 1 });
    expect(brief(lintStatement(update, { hall: hallWith({}) }).findings)).toEqual([
      'warning missing-reference refersTo',
    ]);
    const raised = lintStatement(update, {
      hall: hallWith({ severity: { 'missing-reference': 'error' } }),
    });
    expect(raised).toMatchObject({ ok: false, errors: 1, warnings: 0 });
  });

  it('a rule’s severity wins over a phrase’s own', () => {
    const hall = hallWith({
      discouragedPhrases: [AGENCY],
      severity: { 'discouraged-phrase': 'warning' },
    });
    const result = lintStatement(saying('有关部门表示，不管你信不信，反正我信了。'), { hall });
    expect(brief(result.findings)).toEqual([
      'warning discouraged-phrase body',
      'warning discouraged-phrase body',
    ]);
  });

  describe('the publish gate', () => {
    /** What the publish gate decides for the statement, with the hall's lint settings. */
    async function gate(lint: unknown, statement: StatementInput): Promise<number | 'passes'> {
      const publisher = createPublisher({
        hall: { ...memoryHall(1), lint },
        adapters: [createMemoryAdapter()],
        credentials: testCredentials,
        journal: new MemoryJournal(),
      });
      try {
        await publisher.publish(statement, { mode: 'original', gate: {} });
        return 'passes';
      } catch (error) {
        if (ReleaseHallError.isInstance(error) && /the linter finds/.test(error.message)) return 2;
        throw error;
      }
    }

    it('refuses on a hall phrase that is an error, passes when it is lowered, refuses again when raised', async () => {
      const statement = saying('有关部门表示将加强巡查。');
      expect(await gate(undefined, statement)).toBe('passes');
      expect(await gate({ discouragedPhrases: [AGENCY] }, statement)).toBe(2);
      expect(
        await gate(
          { discouragedPhrases: [AGENCY], severity: { 'discouraged-phrase': 'warning' } },
          statement,
        ),
      ).toBe('passes');
      expect(
        await gate(
          {
            discouragedPhrases: [{ phrase: '有关部门', severity: 'warning' }],
            severity: { 'discouraged-phrase': 'error' },
          },
          statement,
        ),
      ).toBe(2);
      expect(
        await gate({ discouragedPhrases: [AGENCY], off: ['discouraged-phrase'] }, statement),
      ).toBe('passes');
    });

    it('follows a built-in rule’s severity both ways', async () => {
      // The fixture's rebuttal gives no evidence: an error of its own.
      expect(await gate(undefined, rebuttal)).toBe(2);
      expect(await gate({ severity: { 'rebuttal-missing-source': 'warning' } }, rebuttal)).toBe(
        'passes',
      );
      expect(await gate(undefined, update)).toBe('passes');
      expect(await gate({ severity: { 'missing-reference': 'error' } }, update)).toBe(2);
    });
  });
});

describe('settings the hall file cannot have', () => {
  const issues = (lint: unknown) =>
    refusal(() => resolveHall({ ...memoryHall(1), lint }, [memory]));

  it('an unknown rule, naming the path and every rule a hall can set', () => {
    const error = issues({ off: ['topic-on-share'], severity: { 'no-such-rule': 'error' } });
    expect(error.code).toBe('INVALID_INPUT');
    const known = CONFIGURABLE_LINT_RULES.join(', ');
    expect(error.issues).toEqual([
      {
        path: 'lint.off[0]',
        message: `expected a rule of the linter, got "topic-on-share" (did you mean "topic-on-share-only"?); the rules: ${known}`,
      },
      {
        path: 'lint.severity.no-such-rule',
        message: `expected a rule of the linter, got "no-such-rule"; the rules: ${known}`,
      },
    ]);
    expect(error.message).toContain('lint.off[0]: expected a rule of the linter');
    expect(CONFIGURABLE_LINT_RULES).toEqual(
      LINT_RULES.filter((rule) => rule !== 'invalid-statement'),
    );
  });

  it('switching off or lowering what the statement schema refuses', () => {
    const error = issues({
      off: ['invalid-statement'],
      severity: { 'invalid-statement': 'warning' },
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'lint.off[0]',
      'lint.severity.invalid-statement',
    ]);
    expect(error.issues[0]?.message).toMatch(/publish refuses what the statement schema refuses/);
  });

  it('an empty phrase, a phrase or a rule listed twice, a rule both off and given a severity', () => {
    expect(issues({ discouragedPhrases: [{ phrase: '  ' }] }).issues).toEqual([
      {
        path: 'lint.discouragedPhrases[0].phrase',
        message: 'expected a phrase to look for, got an empty one',
      },
    ]);
    expect(
      issues({ discouragedPhrases: [{ phrase: '有关部门' }, AGENCY, { phrase: ' 有关部门 ' }] })
        .issues,
    ).toEqual([
      {
        path: 'lint.discouragedPhrases[1].phrase',
        message: 'already listed at lint.discouragedPhrases[0] (keep one entry), got "有关部门"',
      },
      {
        path: 'lint.discouragedPhrases[2].phrase',
        message: 'already listed at lint.discouragedPhrases[0] (keep one entry), got " 有关部门 "',
      },
    ]);
    expect(issues({ off: ['missing-time', 'missing-time'] }).issues).toEqual([
      {
        path: 'lint.off[1]',
        message: 'already listed at lint.off[0] (keep one entry), got "missing-time"',
      },
    ]);
    expect(
      issues({ off: ['missing-time'], severity: { 'missing-time': 'warning' } }).issues,
    ).toEqual([
      {
        path: 'lint.severity.missing-time',
        message:
          '"missing-time" is switched off at lint.off[0], got a severity for it too: keep one of the two',
      },
    ]);
  });

  it('unknown fields, severities and phrase severities', () => {
    const error = issues({
      rules: [],
      severity: { 'missing-time': 'info' },
      discouragedPhrases: [{ phrase: '亲', severity: 'fatal', fix: '…' }],
    });
    expect(error.issues.map((issue) => issue.path)).toEqual([
      'lint.discouragedPhrases[0].severity',
      'lint.discouragedPhrases[0]',
      'lint.severity.missing-time',
      'lint',
    ]);
  });

  it('settings given to lintStatement are checked the same way', () => {
    const error = refusal(() => lintStatement(clean, { settings: { off: ['nope'] } }));
    expect(error.message).toContain('invalid lint settings');
    expect(error.issues[0]?.path).toBe('lint.off[0]');
  });

  it('a hall without a lint block has none, and an empty one means no change', () => {
    expect(hallWith(undefined).lint).toBeUndefined();
    expect(lintSettingsSchema.parse({})).toEqual({ discouragedPhrases: [], off: [], severity: {} });
  });
});
