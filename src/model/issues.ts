import type { z } from 'zod';
import type { InputIssue } from '../errors.js';

/** Formats a zod path as `members[12].accounts.weibo.uid`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Shows a string safely: no user name or password of a URL, no invisible or reordering character. */
function showString(value: string): string {
  const withoutUserInfo = value.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]*@/gi, '$1***@');
  const short =
    withoutUserInfo.length > 60 ? `${withoutUserInfo.slice(0, 57)}...` : withoutUserInfo;
  return JSON.stringify(short).replace(
    /[\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/gu,
    (character) => `\\u${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return showString(value);
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return 'an object';
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** Turns zod issues into {@link InputIssue}s whose message says what was expected and what came. */
export function issuesFromZod(
  error: z.ZodError,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): InputIssue[] {
  return error.issues.map((issue) => {
    const fullPath = [...prefix, ...issue.path];
    const got = valueAt(input, issue.path);
    let message = issue.message;
    if (issue.code === 'invalid_type') {
      message = `expected ${issue.expected}, got ${describeValue(got)}`;
      if (issue.expected === 'string' && typeof got === 'number') {
        message += Number.isSafeInteger(got)
          ? ': put it in quotes'
          : ': the number is too long to be read exactly (digits were lost); put it in quotes, e.g. "12345678901234567890"';
      }
    } else if (issue.code === 'unrecognized_keys') {
      message = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}: remove ${issue.keys.length > 1 ? 'them' : 'it'} or check the spelling`;
    } else if (
      !/, got /.test(message) &&
      got !== undefined &&
      typeof got !== 'object' &&
      // A credentials field is where a secret gets pasted by mistake: never print it back.
      issue.path.at(-1) !== 'credentials'
    ) {
      message = `${message}, got ${describeValue(got)}`;
    }
    return { path: formatPath(fullPath), message };
  });
}
