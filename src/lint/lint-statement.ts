/**
 * The statement linter: what a press officer should fix before a statement goes out, each finding
 * with its place and its fix. It reads the statement as written — a parsed statement or the raw
 * data of a statement file; it does not need it to pass the schema first, so it can report every
 * problem at once — and, when given, the hall, the renditions planned for every account, and the
 * platforms' profiles.
 *
 * | rule | severity | when |
 * | --- | --- | --- |
 * | `rebuttal-missing-rumor` / `-facts` / `-source` | error | a rebuttal without the rumor, the facts, or the evidence (source) |
 * | `missing-issuer` / `missing-time` | error | no issuer; no issue time with an offset |
 * | `missing-reference` | warning | an update or correction without `refersTo` |
 * | `key-fact-not-in-text` | error | a key fact the statement's own text never writes |
 * | `key-fact-inconsistent` | error | a post lacks a key fact it had room for, or lacks it and links nowhere |
 * | `number-mismatch` | error | a number differs from the statement's (or most accounts') in the same clause |
 * | `topic-on-share-only` | error / warning | `#topic#` in text for a platform that refuses topics (error); `topics` that will be left out there (warning) |
 * | `link-outside-safe-domain` | error / warning | the full-text link (error) or a link in the text (warning) off the hall's `site.domain` |
 * | `discouraged-phrase` | by phrase | a phrase from the discouraged list; chatty forms are errors in a `crisis` statement |
 * | `rendition-over-limit` | error | a rendition longer than its platform accepts |
 */
import { z } from 'zod';
import type { Rendition } from '../adapter.js';
import type { Hall } from '../model/hall.js';
import { type StatementInput, statementSchema } from '../model/statement.js';
import {
  type ProfilesByPlatform,
  limitsFor,
  measureRendition,
  platformsOf,
} from '../render/fit-profile.js';
import { layoutStatement } from '../render/layout.js';
import { renderStatement } from '../render/render-statement.js';
import { findLinks } from '../render/split-text.js';
import type { Unit } from '../render/summarise.js';
import { checkKeyFacts, checkNumberSlots, renditionText } from './check-consistency.js';
import {
  DEFAULT_DISCOURAGED_PHRASES,
  type DiscouragedEntry,
  findDiscouraged,
  toDiscouragedPhrase,
} from './discouraged-phrases.js';
import type { LintFinding, LintRendition, LintResult, LintSeverity } from './lint-types.js';

/** Options of {@link lintStatement}. */
export interface LintOptions {
  /** The hall: its `site.domain` for the link rule, its members' names. */
  readonly hall?: Hall;
  /** The renditions planned for each account (a plan's deliveries), for the cross-account checks. */
  readonly renditions?: readonly LintRendition[];
  /** Limits by platform: adapters, their `limits`, or text profiles (a `Map` or an object). */
  readonly profiles?: ProfilesByPlatform;
  /**
   * The discouraged phrases. Replaces the defaults; extend them with
   * `[...DEFAULT_DISCOURAGED_PHRASES, '新短语']`.
   * @default DEFAULT_DISCOURAGED_PHRASES
   */
  readonly discouraged?: readonly DiscouragedEntry[];
}

const isoWithOffset = z.iso.datetime({ offset: true });
const TOPIC_PATTERN = /#[^#\s]+#/u;

/** True when `host` is `domain` or one of its subdomains, compared in lower case. */
export function isOnDomain(link: string, domain: string): boolean {
  const host = /^https?:\/\/([^/?#:@]+)/i.exec(link)?.[1]?.toLowerCase();
  if (host === undefined) return false;
  const wanted = domain.toLowerCase();
  return host === wanted || host.endsWith(`.${wanted}`);
}

const blank = (value: string | undefined): boolean => value === undefined || value.trim() === '';

interface Field {
  readonly path: string;
  readonly text: string;
}

/** A statement as written, read defensively: a field of the wrong type counts as missing. */
interface Written {
  readonly kind: unknown;
  readonly headline?: string;
  readonly body?: string;
  readonly issuer?: string;
  readonly issuedAt?: string;
  readonly link?: string;
  readonly urgency: unknown;
  readonly rumor?: string;
  readonly facts?: readonly string[];
  readonly evidence?: string;
  readonly advice?: string;
  readonly refersTo?: string;
  readonly keyFacts: readonly string[];
  readonly topics: readonly string[];
}

function readStatement(input: Readonly<Record<string, unknown>>): Written {
  const text = (key: string): { readonly [key: string]: string } => {
    const value = input[key];
    return typeof value === 'string' ? { [key]: value } : {};
  };
  const texts = (value: unknown): string[] | undefined =>
    Array.isArray(value)
      ? value.filter((item): item is string => typeof item === 'string')
      : undefined;
  const facts = texts(input.facts);
  return {
    kind: input.kind,
    urgency: input.urgency,
    ...text('headline'),
    ...text('body'),
    ...text('issuer'),
    ...text('issuedAt'),
    ...text('link'),
    ...text('rumor'),
    ...text('evidence'),
    ...text('advice'),
    ...text('refersTo'),
    ...(facts === undefined ? {} : { facts }),
    keyFacts: texts(input.keyFacts) ?? [],
    topics: texts(input.topics) ?? [],
  };
}

/** The statement's own text fields, with their paths. The rumor is quoted, so kept apart. */
function textFields(statement: Written): Field[] {
  const fields: Field[] = [];
  const add = (path: string, text: string | undefined): void => {
    if (text !== undefined) fields.push({ path, text });
  };
  add('headline', statement.headline);
  add('body', statement.body);
  statement.facts?.forEach((fact, index) => add(`facts[${index}]`, fact));
  add('evidence', statement.evidence);
  add('advice', statement.advice);
  return fields;
}

/**
 * Lints a statement, and the renditions planned from it when given.
 *
 * @example
 * const { findings } = lintStatement(statement, {
 *   hall: publisher.hall.hall,
 *   renditions: preview.deliveries,
 *   profiles: adapters,
 * });
 */
export function lintStatement(
  input: StatementInput | Readonly<Record<string, unknown>>,
  options: LintOptions = {},
): LintResult {
  const findings: LintFinding[] = [];
  const add = (
    severity: LintSeverity,
    rule: LintFinding['rule'],
    path: string,
    message: string,
    fix: string,
    accountId?: string,
  ): void => {
    findings.push({
      severity,
      rule,
      path,
      message,
      fix,
      ...(accountId === undefined ? {} : { accountId }),
    });
  };
  const { hall, profiles } = options;
  const renditions = options.renditions ?? [];
  const parsed = statementSchema.safeParse(input);
  const statement = readStatement(input);
  const fields = textFields(statement);
  const rumor = statement.rumor;
  const allText = [...fields.map((field) => field.text), rumor ?? ''].join('\n');

  // The parts of a rebuttal, the issuer and the time.
  if (statement.kind === 'rebuttal') {
    if (blank(rumor)) {
      add(
        'error',
        'rebuttal-missing-rumor',
        'rumor',
        'a rebuttal does not say which rumor it answers',
        'add `rumor:` with the rumor as it circulates, e.g. 北京地铁今晚全线停运',
      );
    }
    if (statement.facts === undefined || statement.facts.every((fact) => blank(fact))) {
      add(
        'error',
        'rebuttal-missing-facts',
        'facts',
        'a rebuttal gives no facts',
        'add `facts:` with what is true, most important first, e.g. 地铁各线路运营正常',
      );
    }
    if (blank(statement.evidence)) {
      add(
        'error',
        'rebuttal-missing-source',
        'evidence',
        'a rebuttal gives no evidence or source for its facts',
        'add `evidence:` saying who checked what and when, e.g. 经北京市交通委员会核实，截至11月26日9时……',
      );
    }
  }
  if (blank(statement.issuer)) {
    add(
      'error',
      'missing-issuer',
      'issuer',
      'the statement does not say who issues it',
      'add `issuer:` with the full name of the issuing body, e.g. 北京市交通委员会',
    );
  }
  if (statement.issuedAt === undefined || !isoWithOffset.safeParse(statement.issuedAt).success) {
    add(
      'error',
      'missing-time',
      'issuedAt',
      statement.issuedAt === undefined
        ? 'the statement has no issue time'
        : `the issue time "${statement.issuedAt}" is not an ISO 8601 time with an offset`,
      'add `issuedAt:` such as "2026-11-26T09:30:00+08:00"',
    );
  }
  if (
    (statement.kind === 'update' || statement.kind === 'correction') &&
    blank(statement.refersTo)
  ) {
    add(
      'warning',
      'missing-reference',
      'refersTo',
      `${statement.kind === 'update' ? 'an update' : 'a correction'} does not name the campaign it follows`,
      'add `refersTo:` with the id of the earlier campaign',
    );
  }

  // Key facts must be written somewhere in the statement.
  statement.keyFacts.forEach((fact, index) => {
    if (!allText.includes(fact)) {
      add(
        'error',
        'key-fact-not-in-text',
        `keyFacts[${index}]`,
        `key fact "${fact}" is not written anywhere in the statement, so no rendition can carry it`,
        'write the key fact exactly as it appears in the headline, body or facts (same digits, same punctuation)',
      );
    }
  });

  // Discouraged phrases: in the statement, then in renditions (prefixes, sign-offs).
  const phrases = (options.discouraged ?? DEFAULT_DISCOURAGED_PHRASES).map(toDiscouragedPhrase);
  const severityOf = (severity: 'error' | 'warning' | 'by-urgency' | undefined): LintSeverity =>
    severity === 'error' || severity === 'warning'
      ? severity
      : statement.urgency === 'crisis'
        ? 'error'
        : 'warning';
  const inStatement = new Set<number>();
  phrases.forEach((phrase, index) => {
    for (const field of fields) {
      const found = findDiscouraged(field.text, phrase);
      if (found === undefined) continue;
      inStatement.add(index);
      add(
        severityOf(phrase.severity),
        'discouraged-phrase',
        field.path,
        `"${found}" in ${field.path}: ${phrase.reason}${statement.urgency === 'crisis' ? ' (crisis statement)' : ''}`,
        phrase.fix,
      );
    }
  });
  for (const entry of renditions) {
    let text = renditionText(entry.rendition);
    if (rumor !== undefined && rumor !== '') text = text.replaceAll(rumor, '');
    phrases.forEach((phrase, index) => {
      if (inStatement.has(index)) return;
      const found = findDiscouraged(text, phrase);
      if (found === undefined) return;
      add(
        severityOf(phrase.severity),
        'discouraged-phrase',
        `renditions[${entry.accountId}]`,
        `"${found}" in the rendition of ${entry.accountId} (from its prefix or sign-off): ${phrase.reason}`,
        `${phrase.fix}; change the member's prefix or signOff in the hall file`,
        entry.accountId,
      );
    });
  }

  // Links on the hall's safe domain.
  const domain = hall?.site?.domain;
  if (domain !== undefined) {
    if (statement.link !== undefined && !isOnDomain(statement.link, domain)) {
      add(
        'error',
        'link-outside-safe-domain',
        'link',
        `the full-text link ${statement.link} is not on the hall's site ${domain}; Weibo's share call refuses it and readers cannot trust it`,
        `publish the full text on ${domain} and link to it`,
      );
    }
    const statementLinks = new Set(findLinks(allText));
    for (const field of fields) {
      for (const link of findLinks(field.text)) {
        if (!isOnDomain(link, domain)) {
          add(
            'warning',
            'link-outside-safe-domain',
            field.path,
            `the link ${link} in ${field.path} is not on the hall's site ${domain}`,
            `link to a page on ${domain}, or leave the link out of the text`,
          );
        }
      }
    }
    for (const entry of renditions) {
      for (const link of findLinks(renditionText(entry.rendition))) {
        if (link === statement.link || statementLinks.has(link) || isOnDomain(link, domain))
          continue;
        add(
          'warning',
          'link-outside-safe-domain',
          `renditions[${entry.accountId}]`,
          `the rendition of ${entry.accountId} links to ${link}, which is not on ${domain}`,
          `remove the link from the member's prefix or signOff, or link to ${domain}`,
          entry.accountId,
        );
      }
    }
  }

  // Topics where the platform refuses them (Weibo's share call).
  const noTopics = platformsOf(profiles).filter(
    (platform) => limitsFor(profiles, platform)?.text.allowsTopics === false,
  );
  let inlineTopic = false;
  if (noTopics.length > 0) {
    for (const field of fields) {
      const topic = TOPIC_PATTERN.exec(field.text)?.[0];
      if (topic === undefined) continue;
      inlineTopic = true;
      add(
        'error',
        'topic-on-share-only',
        field.path,
        `${field.path} holds the topic ${topic}, which ${noTopics.join(', ')} refuse${noTopics.length === 1 ? 's' : ''} (share-only accounts)`,
        'remove the # marks from the text; put topics in `topics:` so they are added only where allowed',
      );
    }
    if (statement.topics.length > 0) {
      add(
        'warning',
        'topic-on-share-only',
        'topics',
        `the topics ${statement.topics.map((topic) => `#${topic}#`).join('')} are left out on ${noTopics.join(', ')}, which refuse topics`,
        'nothing to do if that is expected; post through Weibo update mode to keep topics',
      );
    }
  }
  if (!inlineTopic) {
    for (const entry of renditions) {
      if (entry.rendition.format !== 'text') continue;
      if (limitsFor(profiles, entry.platform)?.text.allowsTopics !== false) continue;
      const topic = TOPIC_PATTERN.exec(entry.rendition.text)?.[0];
      if (topic === undefined) continue;
      add(
        'error',
        'topic-on-share-only',
        `renditions[${entry.accountId}].text`,
        `the rendition of ${entry.accountId} holds the topic ${topic}, which ${entry.platform} refuses on this account`,
        "remove the # marks from the member's prefix or signOff",
        entry.accountId,
      );
    }
  }

  // Renditions: over the limit, then consistency across accounts.
  for (const entry of renditions) {
    const limits = limitsFor(profiles, entry.platform);
    if (limits === undefined) continue;
    const measured = measureRendition(entry.rendition, limits);
    if (!measured.fits) {
      add(
        'error',
        'rendition-over-limit',
        `renditions[${entry.accountId}]`,
        `the rendition of ${entry.accountId} counts ${measured.count} where ${entry.platform} accepts ${measured.limit}`,
        'render it again with the platform profile, or shorten the statement',
        entry.accountId,
      );
    }
  }
  if (renditions.length > 0) {
    let units: Unit[] = [];
    let reference = fields.map((field) => field.text);
    if (parsed.success) {
      const layout = layoutStatement(parsed.data, hall);
      const document = layout.document;
      units = [...layout.units];
      reference = [
        document.headline,
        ...document.parts.map((part) => part.text),
        `（${document.issuer} ${document.time.short}）`,
        document.time.full,
      ];
    }
    const statementData = parsed.success ? parsed.data : undefined;
    const expected = (entry: LintRendition): Rendition | undefined => {
      const limits = limitsFor(profiles, entry.platform);
      const memberId = entry.memberId ?? entry.accountId.split('/')[0];
      const member = hall?.members.find((candidate) => candidate.id === memberId);
      if (statementData === undefined || hall === undefined || member === undefined)
        return undefined;
      if (limits === undefined) return undefined;
      const handle = member.accounts[entry.platform]?.handle ?? member.shortName ?? member.name;
      try {
        return renderStatement(statementData, { limits, hall, member, handle });
      } catch {
        return undefined;
      }
    };
    const input = {
      expected,
      keyFacts: statement.keyFacts,
      link: statement.link,
      reference,
      units,
      renditions,
      limitsFor: (platform: string) => limitsFor(profiles, platform),
    };
    findings.push(...checkKeyFacts(input), ...checkNumberSlots(input));
  }

  const ordered = [
    ...findings.filter((finding) => finding.severity === 'error'),
    ...findings.filter((finding) => finding.severity === 'warning'),
  ];
  const errors = findings.filter((finding) => finding.severity === 'error').length;
  return { findings: ordered, errors, warnings: ordered.length - errors, ok: errors === 0 };
}
