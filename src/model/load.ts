/**
 * Loading and checking halls and statements. Everything is checked before anything is sent:
 * a bad hall file is refused whole, with every problem named by path and with its fix.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Adapter } from '../adapter.js';
import { type InputIssue, invalidInput } from '../errors.js';
import { type Account, type Hall, accountId, hallSchema } from './hall.js';
import { issuesFromZod } from './issues.js';
import { type Statement, statementSchema } from './statement.js';

/** A checked hall with its accounts resolved. */
export interface ResolvedHall {
  readonly hall: Hall;
  /** Every account of every member, in hall order. */
  readonly accounts: readonly Account[];
  /** Account by id (`member/platform`). */
  readonly accountById: ReadonlyMap<string, Account>;
}

const BASE_ACCOUNT_KEYS = new Set(['handle', 'credentials', 'kind']);

/** References that map to the same environment variable count as the same reference. */
function credentialsKey(ref: string): string {
  return ref.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * The platform fields of one account, checked by its adapter. A number too long to be read exactly
 * (an unquoted 20-digit uid) is told to be quoted instead.
 */
function checkAccountSettings(
  adapter: Adapter,
  raw: Readonly<Record<string, unknown>>,
  where: { readonly path: string; readonly index: number; readonly platform: string },
  issues: InputIssue[],
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!BASE_ACCOUNT_KEYS.has(key)) settings[key] = value;
  }
  const inexact = Object.entries(settings).filter(
    ([, value]) =>
      typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value),
  );
  for (const [key, value] of inexact) {
    issues.push({
      path: `${where.path}.${key}`,
      message: `the number ${String(value)} is too long to be read exactly (digits were lost when the file was read): put it in quotes, e.g. ${key}: "12345678901234567890"`,
    });
  }
  // The adapter's own message about the same field would only repeat the problem.
  if (inexact.length > 0 || adapter.accountSchema === undefined) return settings;
  const result = adapter.accountSchema.safeParse(settings);
  if (result.success) return result.data;
  issues.push(
    ...issuesFromZod(result.error, settings, ['members', where.index, 'accounts', where.platform]),
  );
  return settings;
}

/**
 * Checks a hall (already parsed from JSON or YAML) against the schema and the adapters that will
 * serve it. Throws `INVALID_INPUT` listing every problem.
 *
 * @param input - the parsed hall file
 * @param adapters - the adapters available; an account on a platform with none is refused
 */
export function resolveHall(input: unknown, adapters: readonly Adapter[]): ResolvedHall {
  const parsed = hallSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('hall', issuesFromZod(parsed.error, input));
  const hall = parsed.data;
  const issues: InputIssue[] = [];
  const byPlatform = new Map(adapters.map((adapter) => [adapter.platform, adapter]));
  const groupIds = new Set(hall.groups.map((group) => group.id));
  const seenMembers = new Map<string, number>();
  /** Platform account keys (credentials, handle, identity) → the member that holds them. */
  const claims = new Map<string, string>();
  const accounts: Account[] = [];

  hall.groups.forEach((group, index) => {
    if (hall.groups.findIndex((other) => other.id === group.id) !== index) {
      issues.push({
        path: `groups[${index}].id`,
        message: `duplicate group id "${group.id}": group ids must be unique`,
      });
    }
  });

  hall.members.forEach((member, index) => {
    const first = seenMembers.get(member.id);
    if (first !== undefined) {
      issues.push({
        path: `members[${index}].id`,
        message: `duplicate member id "${member.id}" (also members[${first}]): give each member its own id`,
      });
    } else {
      seenMembers.set(member.id, index);
    }
    member.groups.forEach((group, groupIndex) => {
      if (!groupIds.has(group)) {
        issues.push({
          path: `members[${index}].groups[${groupIndex}]`,
          message: `unknown group "${group}": declare it under "groups" or remove it`,
        });
      }
    });
    const platforms = Object.keys(member.accounts);
    if (platforms.length === 0) {
      issues.push({
        path: `members[${index}].accounts`,
        message: 'a member needs at least one account',
      });
    }
    for (const platform of platforms) {
      const raw = member.accounts[platform];
      if (raw === undefined) continue;
      const path = `members[${index}].accounts.${platform}`;
      const adapter = byPlatform.get(platform);
      if (adapter === undefined) {
        issues.push({
          path,
          message: `no adapter for platform "${platform}" (available: ${[...byPlatform.keys()].join(', ') || 'none'}): remove the account or register an adapter for it`,
        });
        continue;
      }
      const checked = checkAccountSettings(adapter, raw, { path, index, platform }, issues);
      const claim = (
        kind: string,
        value: string,
        at: string,
        message: (owner: string) => string,
      ): void => {
        const key = `${platform}:${kind}:${value}`;
        const owner = claims.get(key);
        if (owner !== undefined && owner !== member.id)
          issues.push({ path: at, message: message(owner) });
        claims.set(key, member.id);
      };
      claim(
        'credentials',
        credentialsKey(raw.credentials),
        `${path}.credentials`,
        (owner) =>
          `credentials "${raw.credentials}" are also used by member "${owner}" on ${platform}: each account needs its own (two members posting with one token would post twice on one account)`,
      );
      claim(
        'handle',
        raw.handle,
        `${path}.handle`,
        (owner) =>
          `account "${raw.handle}" on ${platform} is also listed for member "${owner}": one account belongs to one member`,
      );
      for (const field of adapter.identityFields ?? []) {
        const value = checked[field];
        if ((typeof value !== 'string' && typeof value !== 'number') || value === '') continue;
        claim(
          field,
          String(value),
          `${path}.${field}`,
          (owner) =>
            `${field} "${String(value)}" on ${platform} is also the account of member "${owner}": one platform account belongs to one member (two members on it would post twice there)`,
        );
      }
      accounts.push({
        id: accountId(member.id, platform),
        memberId: member.id,
        platform,
        handle: raw.handle,
        credentials: raw.credentials,
        ...(raw.kind === undefined ? {} : { kind: raw.kind }),
        settings: checked,
      });
    }
  });

  if (!seenMembers.has(hall.lead)) {
    issues.push({
      path: 'lead',
      message: `lead "${hall.lead}" is not a member: set it to the id of one of the members`,
    });
  }
  for (const platform of Object.keys(hall.platforms)) {
    if (!byPlatform.has(platform)) {
      issues.push({
        path: `platforms.${platform}`,
        message: `no adapter for platform "${platform}" (available: ${[...byPlatform.keys()].join(', ') || 'none'})`,
      });
    }
  }
  if (issues.length > 0) throw invalidInput('hall', issues);
  return { hall, accounts, accountById: new Map(accounts.map((account) => [account.id, account])) };
}

/** Checks a statement. Throws `INVALID_INPUT` naming every problem. */
export function parseStatement(input: unknown): Statement {
  const parsed = statementSchema.safeParse(input);
  if (!parsed.success) throw invalidInput('statement', issuesFromZod(parsed.error, input));
  return parsed.data;
}

/** Reads a JSON or YAML file (by extension; `.yml`/`.yaml` are YAML, everything else JSON then YAML). */
export async function readDataFile(path: string, subject: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw invalidInput(subject, [
      {
        path: path,
        message:
          code === 'ENOENT'
            ? 'file not found: check the path'
            : `cannot read the file (${code ?? 'error'})`,
      },
    ]);
  }
  return parseDataText(text, path, subject);
}

/** Parses JSON or YAML text; a syntax error is `INVALID_INPUT` with the line. */
export function parseDataText(raw: string, name: string, subject: string): unknown {
  const extension = extname(name).toLowerCase();
  // A byte order mark at the start (as some editors on Windows save files) is not content.
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  try {
    if (extension === '.json') return JSON.parse(text) as unknown;
    return parseYaml(text) as unknown;
  } catch (error) {
    // The parser's message quotes the text around the error: never repeat it for a file of secrets.
    const full =
      error instanceof Error ? (error.message.split('\n')[0] ?? 'syntax error') : 'syntax error';
    const position = /(line \d+(?:, column \d+)?|position \d+)/i.exec(full)?.[1];
    const message = /credential|secret/i.test(subject)
      ? `syntax error${position ? ` at ${position}` : ''}`
      : full;
    throw invalidInput(subject, [
      { path: name, message: `not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${message}` },
    ]);
  }
}

/** Reads and checks a hall file. */
export async function loadHallFile(
  path: string,
  adapters: readonly Adapter[],
): Promise<ResolvedHall> {
  return resolveHall(await readDataFile(path, 'hall'), adapters);
}

/**
 * Reads and checks a statement file. Image paths that are neither absolute nor URLs are taken
 * relative to the statement file, so a statement and its pictures travel together.
 */
export async function loadStatementFile(path: string): Promise<Statement> {
  const statement = parseStatement(await readDataFile(path, 'statement'));
  if (statement.images.length === 0) return statement;
  const base = dirname(resolvePath(path));
  return {
    ...statement,
    images: statement.images.map((image) =>
      /^[a-z]+:\/\//i.test(image) || isAbsolute(image) ? image : resolvePath(base, image),
    ),
  };
}
