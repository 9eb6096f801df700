/**
 * The parts a statement cannot go without: a rebuttal's rumor, facts and evidence
 * (`rebuttal-missing-*`), the issuer and the issue time (`missing-issuer`, `missing-time`), and the
 * campaign an update or correction follows (`missing-reference`).
 */
import { z } from 'zod';
import type { LintFinding } from '../lint-types.js';
import { type StatementRule, blank, finding } from './lint-context.js';

const isoWithOffset = z.iso.datetime({ offset: true });

/** A rebuttal names the rumor, gives the facts and the evidence. */
export const rebuttalParts: StatementRule = (statement) => {
  if (statement.kind !== 'rebuttal') return [];
  const findings: LintFinding[] = [];
  if (blank(statement.rumor)) {
    findings.push(
      finding(
        'error',
        'rebuttal-missing-rumor',
        'rumor',
        'a rebuttal does not say which rumor it answers',
        'add `rumor:` with the rumor as it circulates, e.g. 北京地铁今晚全线停运',
      ),
    );
  }
  if (statement.facts === undefined || statement.facts.every((fact) => blank(fact))) {
    findings.push(
      finding(
        'error',
        'rebuttal-missing-facts',
        'facts',
        'a rebuttal gives no facts',
        'add `facts:` with what is true, most important first, e.g. 地铁各线路运营正常',
      ),
    );
  }
  if (blank(statement.evidence)) {
    findings.push(
      finding(
        'error',
        'rebuttal-missing-source',
        'evidence',
        'a rebuttal gives no evidence or source for its facts',
        'add `evidence:` saying who checked what and when, e.g. 经北京市交通委员会核实，截至11月26日9时……',
      ),
    );
  }
  return findings;
};

/** Every statement says who issues it and when, with an offset. */
export const issuerAndTime: StatementRule = (statement) => {
  const findings: LintFinding[] = [];
  if (blank(statement.issuer)) {
    findings.push(
      finding(
        'error',
        'missing-issuer',
        'issuer',
        'the statement does not say who issues it',
        'add `issuer:` with the full name of the issuing body, e.g. 北京市交通委员会',
      ),
    );
  }
  if (statement.issuedAt === undefined || !isoWithOffset.safeParse(statement.issuedAt).success) {
    findings.push(
      finding(
        'error',
        'missing-time',
        'issuedAt',
        statement.issuedAt === undefined
          ? 'the statement has no issue time'
          : `the issue time "${statement.issuedAt}" is not an ISO 8601 time with an offset`,
        'add `issuedAt:` such as "2026-11-26T09:30:00+08:00"',
      ),
    );
  }
  return findings;
};

/** An update or correction names the campaign it follows. */
export const followUpReference: StatementRule = (statement) => {
  if (statement.kind !== 'update' && statement.kind !== 'correction') return [];
  if (!blank(statement.refersTo)) return [];
  return [
    finding(
      'warning',
      'missing-reference',
      'refersTo',
      `${statement.kind === 'update' ? 'an update' : 'a correction'} does not name the campaign it follows`,
      'add `refersTo:` with the id of the earlier campaign',
    ),
  ];
};
