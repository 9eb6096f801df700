/**
 * The layout of a statement for one hall: its template document and its sentences split into
 * clauses. The same for every member, so it is worked out once per (statement, hall) and kept in a
 * weak cache: planning a hall of N accounts lays the statement out once, not N times. Statements and
 * halls are treated as immutable values (parse them again rather than changing them).
 */
import type { Hall } from '../model/hall.js';
import type { Statement } from '../model/statement.js';
import { type Unit, documentUnits } from './summarise.js';
import { type EarlierStatement, type StatementDocument, applyTemplate } from './templates.js';

/** Marks at which text is cut, and brackets that pair: only a name holding one can be cut. */
const CUT_OR_PAIR = /[。！？!?；;，、：,:“”‘’「」『』《》〈〉（）()【】"]/u;

const hallNames = new WeakMap<Hall, readonly string[]>();

function memberNames(hall: Hall | undefined): readonly string[] {
  if (hall === undefined) return [];
  let names = hallNames.get(hall);
  if (names === undefined) {
    names = hall.members
      .flatMap((member) => [member.name, member.shortName ?? ''])
      .filter((name) => CUT_OR_PAIR.test(name));
    hallNames.set(hall, names);
  }
  return names;
}

/**
 * Names that are never cut: the key facts, the issuer, and the names and short names of the hall's
 * members. Only names that hold a cut mark or a bracket are listed: text is cut only at those marks,
 * so any other name is whole by construction.
 */
export function protectedNames(statement: Statement, hall?: Hall): string[] {
  const own = [...statement.keyFacts, statement.issuer].filter((name) => CUT_OR_PAIR.test(name));
  return [...new Set([...own, ...memberNames(hall)])].filter((name) => name !== '');
}

/** A statement laid out for one hall. */
export interface StatementLayout {
  readonly document: StatementDocument;
  readonly units: readonly Unit[];
}

const layouts = new WeakMap<Statement, WeakMap<Hall | typeof NO_HALL, StatementLayout>>();
const NO_HALL = {};

/** The layout of `statement` for `hall`; cached unless an earlier statement is named. */
export function layoutStatement(
  statement: Statement,
  hall: Hall | undefined,
  earlier?: EarlierStatement,
): StatementLayout {
  const make = (): StatementLayout => {
    const document = applyTemplate(statement, earlier === undefined ? {} : { earlier });
    return { document, units: documentUnits(document, protectedNames(statement, hall)) };
  };
  if (earlier !== undefined) return make();
  let byHall = layouts.get(statement);
  if (byHall === undefined) {
    byHall = new WeakMap();
    layouts.set(statement, byHall);
  }
  const key = hall ?? NO_HALL;
  let layout = byHall.get(key);
  if (layout === undefined) {
    layout = make();
    byHall.set(key, layout);
  }
  return layout;
}
