import { z } from 'zod';
import { MAX_BODY_CHARACTERS, MAX_LIST_ENTRIES, safeText } from './text.js';

/** The characters a link may hold: what the platforms' link counters take as one link. */
const LINK_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;

/** Where a link goes wrong before it is ever sent: the message names the fix. */
function linkProblem(link: string): string | undefined {
  const bad = [...link].findIndex((character) => /[\s\p{Cc}]/u.test(character));
  if (bad !== -1) {
    return `holds a space or control character at character ${bad + 1}: the platforms would cut the link there; remove it or write it as %20`;
  }
  if (!LINK_CHARACTERS.test(link)) {
    let suggestion = '';
    try {
      suggestion = `, e.g. ${new URL(link).href}`;
    } catch {
      // Not a URL at all: the URL check below says so.
    }
    return `holds characters the platforms do not count as part of a link (Chinese text, full-width marks): percent-encode the path and use the punycode host${suggestion}`;
  }
  return undefined;
}

const httpUrl = z
  .string()
  .max(2048, 'expected a link of at most 2048 characters')
  .superRefine((link, context) => {
    const problem = linkProblem(link);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  })
  .pipe(z.url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL' }))
  .refine((link) => {
    if (!URL.canParse(link)) return true; // the URL check above says what is wrong
    const url = new URL(link);
    return url.username === '' && url.password === '';
  }, 'a link must not carry a user name or password: every reader of the post would see them');

/** What is said. A rebuttal also carries the rumor, the facts, the evidence and the advice. */
export const statementSchema = z
  .strictObject({
    /** Stable id of the statement (used in campaign ids and idempotency keys). */
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
        'expected letters, digits, ".", "_" or "-", at most 64',
      )
      .optional(),
    kind: z.enum(['announcement', 'rebuttal', 'update', 'correction']),
    /** One line, e.g. 网传"地铁全线停运"不实. */
    headline: safeText(200),
    /** Full text (plain text; paragraphs separated by blank lines), at most 50,000 characters. */
    body: safeText(MAX_BODY_CHARACTERS),
    /** Who speaks, e.g. 北京市公安局. */
    issuer: safeText(),
    /** When it was issued: ISO 8601 with an offset, e.g. 2026-11-26T09:30:00+08:00. */
    issuedAt: z.iso.datetime({
      offset: true,
      message: 'expected an ISO 8601 time with offset, e.g. "2026-11-26T09:30:00+08:00"',
    }),
    /** When the event happened (an emergency's response clock starts here): ISO 8601 with an offset. */
    eventAt: z.iso
      .datetime({
        offset: true,
        message: 'expected an ISO 8601 time with offset, e.g. "2026-11-26T07:10:00+08:00"',
      })
      .optional(),
    /** When the rumor or the public concern was spotted: ISO 8601 with an offset. */
    detectedAt: z.iso
      .datetime({
        offset: true,
        message: 'expected an ISO 8601 time with offset, e.g. "2026-11-26T08:05:00+08:00"',
      })
      .optional(),
    /** The full text on the hall's own site; every short rendition ends with it. */
    link: httpUrl,
    images: z.array(safeText(4096)).max(MAX_LIST_ENTRIES).default([]),
    /** Topics (#话题#) for platforms and modes that allow them. */
    topics: z
      .array(
        safeText(100).pipe(z.string().regex(/^[^#\s]+$/, 'expected a topic without "#" or spaces')),
      )
      .max(MAX_LIST_ENTRIES)
      .default([]),
    urgency: z.enum(['routine', 'urgent', 'crisis']).default('routine'),
    /** Facts that must appear verbatim in every rendition long enough to carry them. */
    keyFacts: z.array(safeText()).max(MAX_LIST_ENTRIES).default([]),
    /** Rebuttal: the rumor, quoted. */
    rumor: safeText().optional(),
    /** Rebuttal: the facts, most important first. */
    facts: z.array(safeText()).max(MAX_LIST_ENTRIES).optional(),
    /** Rebuttal: evidence or source. */
    evidence: safeText().optional(),
    /** Rebuttal: advice such as 请勿信谣传谣. */
    advice: safeText().optional(),
    /** Update/correction: the campaign this follows. */
    refersTo: z.string().min(1).optional(),
    /** Update: its number in the series (进展通报（二）). */
    sequence: z.number().int().min(1).optional(),
  })
  .superRefine((statement, context) => {
    if (statement.kind === 'rebuttal') {
      if (statement.rumor === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['rumor'],
          message: 'a rebuttal needs the rumor it answers (field "rumor")',
        });
      }
      if (statement.facts === undefined || statement.facts.length === 0) {
        context.addIssue({
          code: 'custom',
          path: ['facts'],
          message: 'a rebuttal needs at least one fact (field "facts")',
        });
      }
    }
  });

/** A statement as written. */
export type StatementInput = z.input<typeof statementSchema>;
/** A validated statement. */
export type Statement = z.output<typeof statementSchema>;

/** Which part of the hall a campaign reaches. Empty means everyone. */
export const selectionSchema = z.strictObject({
  members: z.array(z.string().min(1)).optional(),
  groups: z.array(z.string().min(1)).optional(),
  tags: z.array(z.string().min(1)).optional(),
  platforms: z.array(z.string().min(1)).optional(),
  /** Members left out even when selected otherwise. */
  exclude: z.array(z.string().min(1)).optional(),
});

/** A selection. */
export type Selection = z.output<typeof selectionSchema>;
