/**
 * API keys and roles: who may call which route. A key is looked up by comparing SHA-256 digests
 * of the presented and the known secrets in constant time, so neither the secret's content nor
 * its length shows in the time an answer takes.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type CredentialsResolver, credentialsEnvName } from '../credentials.js';
import { type InputIssue, invalidInput } from '../errors.js';
import type { ApiSettings } from '../model/hall.js';

/** A role of an API key (see the hall file's `api.keys`). */
export type ApiRole = ApiSettings['keys'][number]['role'];

/** What a route asks of a key. */
export type Permission = 'read' | 'preview' | 'dry-run' | 'publish' | 'control' | 'approve';

/**
 * What each role may do. `operator` ⊇ `editor` ⊇ `viewer`; `approver` reads and approves only
 * (an approver does not publish what they approve, and an operator does not approve).
 */
export const ROLE_PERMISSIONS: Readonly<Record<ApiRole, ReadonlySet<Permission>>> = {
  viewer: new Set<Permission>(['read']),
  editor: new Set<Permission>(['read', 'preview', 'dry-run']),
  approver: new Set<Permission>(['read', 'approve']),
  operator: new Set<Permission>(['read', 'preview', 'dry-run', 'publish', 'control']),
};

/** An API key with its secret resolved. */
export interface ApiKey {
  /** Names the key in the audit trail (`api:<id>`). */
  readonly id: string;
  readonly role: ApiRole;
  /** The secret the caller sends as `Authorization: Bearer <secret>`. */
  readonly secret: string;
}

/** An API key as the service keeps it: the digest of its secret, never the secret. */
interface KnownKey {
  readonly id: string;
  readonly role: ApiRole;
  readonly digest: Buffer;
}

const digestOf = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/** Finds the key a bearer secret belongs to. */
export class KeyRing {
  readonly #keys: readonly KnownKey[];

  constructor(keys: readonly ApiKey[]) {
    this.#keys = keys.map((key) => ({ id: key.id, role: key.role, digest: digestOf(key.secret) }));
  }

  get size(): number {
    return this.#keys.length;
  }

  /**
   * The key whose secret is `secret`, or undefined. Every known key is compared (in constant
   * time, digest against digest), whichever matches.
   */
  find(secret: string): { readonly id: string; readonly role: ApiRole } | undefined {
    const presented = digestOf(secret);
    let found: KnownKey | undefined;
    for (const key of this.#keys) {
      if (timingSafeEqual(presented, key.digest) && found === undefined) found = key;
    }
    return found === undefined ? undefined : { id: found.id, role: found.role };
  }
}

/** Reads the bearer secret of an `Authorization` header, if it has one. */
export function bearerSecret(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * Resolves the secrets of a hall's API keys as every secret is resolved: the field `key` of each
 * key's credentials reference (environment `RELEASE_HALL_CRED_<REF>__KEY`, or the credentials
 * file). Throws `INVALID_INPUT` naming every key without a secret (never a secret).
 */
export async function resolveApiKeys(
  settings: ApiSettings | undefined,
  credentials: CredentialsResolver,
): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  const issues: InputIssue[] = [];
  for (const [index, key] of (settings?.keys ?? []).entries()) {
    try {
      const found = await credentials.resolve(
        {
          id: `api/${key.id}`,
          memberId: key.id,
          platform: 'api',
          handle: key.id,
          credentials: key.credentials,
          settings: {},
        },
        ['key'],
      );
      const secret = found.key;
      if (secret === undefined || secret.length < 16) {
        issues.push({
          path: `api.keys[${index}].credentials`,
          message: `the secret of API key "${key.id}" is shorter than 16 characters: use a long random one`,
        });
      } else keys.push({ id: key.id, role: key.role, secret });
    } catch {
      issues.push({
        path: `api.keys[${index}].credentials`,
        message: `no secret for API key "${key.id}": set ${credentialsEnvName(key.credentials, 'key')}, or add "${key.credentials}" with "key" to the credentials file`,
      });
    }
  }
  if (issues.length > 0) throw invalidInput('API keys', issues);
  return keys;
}
