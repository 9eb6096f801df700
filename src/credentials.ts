/**
 * Credentials: an account names a reference, and a resolver supplies the secret at call time.
 * Sources: a function (library users), environment variables, a credentials file; chained in order.
 */
import { stat } from 'node:fs/promises';
import type { Credentials } from './adapter.js';
import { type InputIssue, ReleaseHallError, invalidInput } from './errors.js';
import type { Account } from './model/hall.js';
import { readDataFile } from './model/load.js';

/** What a resolver is asked for. */
export interface CredentialsRequest {
  /** The reference named in the hall file. */
  readonly ref: string;
  readonly account: Account;
  /** The fields the platform needs (e.g. `access_token`). */
  readonly fields: readonly string[];
}

/** A source of secrets. Returns `undefined` when it does not know the reference. */
export type CredentialsSource = (
  request: CredentialsRequest,
) => Credentials | undefined | Promise<Credentials | undefined>;

/** The environment variable that holds one field of a reference: `RELEASE_HALL_CRED_<REF>_<FIELD>`. */
export function credentialsEnvName(ref: string, field: string): string {
  const part = (value: string): string => value.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
  return `RELEASE_HALL_CRED_${part(ref)}__${part(field)}`;
}

/**
 * Reads secrets from environment variables: one variable per field, named by
 * {@link credentialsEnvName}, e.g. `RELEASE_HALL_CRED_WEIBO_POLICE__ACCESS_TOKEN`.
 */
export function envCredentials(env: NodeJS.ProcessEnv = process.env): CredentialsSource {
  return ({ ref, fields }) => {
    const out: Record<string, string> = {};
    for (const field of fields) {
      const value = env[credentialsEnvName(ref, field)];
      if (value === undefined || value === '') return undefined;
      out[field] = value;
    }
    return out;
  };
}

/** How {@link fileCredentials} and {@link createCredentialsResolver} report a concern. */
export interface CredentialsFileOptions {
  /**
   * Called with a warning about the file (e.g. other users may read it). By default a Node process
   * warning with code `RELEASE_HALL_CREDENTIALS_MODE`.
   */
  readonly onWarning?: (message: string) => void;
}

const defaultWarning = (message: string): void => {
  process.emitWarning(message, { code: 'RELEASE_HALL_CREDENTIALS_MODE' });
};

/**
 * Reads and checks a credentials file: it must exist and map each reference to its fields. Throws
 * `INVALID_INPUT` naming the file and the fix (never a secret); warns when users other than the
 * owner may read it. Used by {@link fileCredentials} and by the pre-flight, so that a bad file is
 * one clear error before anything is sent.
 */
export async function readCredentialsFile(
  path: string,
  options: CredentialsFileOptions = {},
): Promise<Record<string, Record<string, string>>> {
  const data = await readDataFile(path, 'credentials file');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ReleaseHallError(
      `[release-hall] the credentials file ${path} must map each reference to its fields, e.g. {"weibo-police": {"access_token": "..."}}`,
      { code: 'INVALID_INPUT' },
    );
  }
  const mode = process.platform === 'win32' ? 0 : (await stat(path)).mode;
  if ((mode & 0o077) !== 0) {
    (options.onWarning ?? defaultWarning)(
      `[release-hall] the credentials file ${path} may be read by other users (mode ${(mode & 0o777).toString(8)}): run chmod 600 ${path}`,
    );
  }
  const out: Record<string, Record<string, string>> = {};
  const issues: InputIssue[] = [];
  for (const [ref, fields] of Object.entries(data as Record<string, unknown>)) {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      issues.push({
        path: ref,
        message: 'expected the fields of this reference, e.g. {"access_token": "..."}',
      });
      continue;
    }
    const entry: Record<string, string> = {};
    for (const [field, value] of Object.entries(fields as Record<string, unknown>)) {
      if (typeof value === 'number' && !Number.isSafeInteger(value)) {
        // Never print the value: it is a secret, already mangled by the reader.
        issues.push({
          path: `${ref}.${field}`,
          message:
            'a number too long to be read exactly (digits were lost when the file was read): put the secret in quotes',
        });
      } else if (typeof value === 'string' || typeof value === 'number')
        entry[field] = String(value);
      else
        issues.push({
          path: `${ref}.${field}`,
          message: `expected a string, got ${value === null ? 'null' : typeof value}`,
        });
    }
    out[ref] = entry;
  }
  if (issues.length > 0) throw invalidInput(`credentials file ${path}`, issues);
  return out;
}

/**
 * Reads secrets from a JSON or YAML file mapping each reference to its fields:
 * `{ "weibo-police": { "access_token": "…" } }`. The file is read once, on first use.
 */
export function fileCredentials(
  path: string,
  options: CredentialsFileOptions = {},
): CredentialsSource {
  let loaded: Promise<Record<string, Record<string, string>>> | undefined;
  const load = (): Promise<Record<string, Record<string, string>>> =>
    readCredentialsFile(path, options);
  return async ({ ref, fields }) => {
    loaded ??= load();
    const entry = (await loaded)[ref];
    if (entry === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const field of fields) {
      const value = entry[field];
      if (value === undefined) return undefined;
      out[field] = value;
    }
    return out;
  };
}

/** Resolves secrets from the first source that knows the reference. */
export class CredentialsResolver {
  readonly #sources: readonly CredentialsSource[];

  constructor(sources: readonly CredentialsSource[]) {
    this.#sources = sources;
  }

  /**
   * Resolves the credentials of an account. Throws `AUTH_INVALID` naming the reference and where
   * to put the secret (never the secret) when no source knows it.
   */
  async resolve(account: Account, fields: readonly string[]): Promise<Credentials> {
    const request: CredentialsRequest = { ref: account.credentials, account, fields };
    for (const source of this.#sources) {
      const found = await source(request);
      if (found !== undefined) {
        const missing = fields.filter((field) => !(field in found) || found[field] === '');
        if (missing.length === 0) return found;
      }
    }
    const envNames = fields
      .map((field) => credentialsEnvName(account.credentials, field))
      .join(', ');
    throw new ReleaseHallError(
      `[release-hall] [${account.platform}] no credentials for account "${account.id}" (reference "${account.credentials}"): set ${envNames}, or add "${account.credentials}" with ${fields.map((field) => `"${field}"`).join(', ')} to the credentials file`,
      { code: 'AUTH_INVALID', platform: account.platform, accountId: account.id, retryable: false },
    );
  }
}

/**
 * The default resolver: the given function first (if any), then environment variables, then the
 * credentials file (`path`, or `RELEASE_HALL_CREDENTIALS` in the environment).
 */
export function createCredentialsResolver(
  options: {
    readonly resolve?: CredentialsSource;
    readonly file?: string;
    readonly env?: NodeJS.ProcessEnv;
  } & CredentialsFileOptions = {},
): CredentialsResolver {
  const env = options.env ?? process.env;
  const sources: CredentialsSource[] = [];
  if (options.resolve) sources.push(options.resolve);
  sources.push(envCredentials(env));
  const file = options.file ?? env.RELEASE_HALL_CREDENTIALS;
  if (file) {
    sources.push(
      fileCredentials(
        file,
        options.onWarning === undefined ? {} : { onWarning: options.onWarning },
      ),
    );
  }
  return new CredentialsResolver(sources);
}
