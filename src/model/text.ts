/**
 * Safe text for everything a statement or a hall says: normalised to Unicode NFC, and refused
 * when it holds characters that change what a reader sees without being seen themselves.
 */
import { z } from 'zod';

/** The most characters a statement body may have (about ten pages of Chinese text). */
export const MAX_BODY_CHARACTERS = 50_000;
/** The most characters of any other text field of a statement or a hall. */
export const MAX_FIELD_CHARACTERS = 5_000;
/** The most entries of a list field (facts, key facts, topics, images, links). */
export const MAX_LIST_ENTRIES = 100;

/* eslint-disable no-control-regex -- these patterns exist to find control characters */
const UNSAFE: readonly { readonly test: RegExp; readonly what: string }[] = [
  { test: /\u0000/u, what: 'a NUL character (U+0000)' },
  {
    // C0 controls other than tab, line feed and carriage return; DEL; C1 controls.
    test: /[\u0001-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/u,
    what: 'a control character',
  },
  {
    test: /[\u202A-\u202E\u2066-\u2069]/u,
    what: 'a bidirectional override (U+202A–U+202E, U+2066–U+2069), which can make text read differently from what is sent',
  },
];
/* eslint-enable no-control-regex */

/** Describes the first unsafe character of `text` with its position, or `undefined`. */
export function unsafeCharacter(text: string): string | undefined {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        index += 1;
        continue;
      }
      return `an unpaired surrogate (U+${code.toString(16).toUpperCase()}) at character ${index + 1}`;
    }
    if (code >= 0xdc00 && code <= 0xdfff) {
      return `an unpaired surrogate (U+${code.toString(16).toUpperCase()}) at character ${index + 1}`;
    }
  }
  for (const { test, what } of UNSAFE) {
    const match = test.exec(text);
    if (match !== null) {
      const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
      return `${what} (U+${code}) at character ${match.index + 1}`;
    }
  }
  return undefined;
}

/**
 * A text field: at least `min` characters (one unless given), at most `max`, normalised to NFC, and free of control
 * characters, bidirectional overrides and unpaired surrogates.
 */
export function safeText(
  max: number = MAX_FIELD_CHARACTERS,
  min = 1,
): z.ZodPipe<z.ZodString, z.ZodTransform<string, string>> {
  return z
    .string()
    .min(min)
    .max(max, `expected at most ${max} characters: shorten it`)
    .transform((text, context) => {
      const unsafe = unsafeCharacter(text);
      if (unsafe !== undefined) {
        context.issues.push({
          code: 'custom',
          input: text,
          message: `holds ${unsafe}: remove it (paste the text as plain text)`,
        });
        return z.NEVER;
      }
      return text.normalize('NFC');
    });
}
