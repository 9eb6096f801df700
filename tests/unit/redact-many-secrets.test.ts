import { describe, expect, it } from 'vitest';
import { Redactor } from 'release-hall';

describe('a redactor holding the tokens of a large hall', () => {
  it('scrubs every token and its URL-encoded form, whatever their number', () => {
    const redactor = new Redactor();
    const tokens = Array.from({ length: 5_000 }, (_, index) => `2.00tok/${index.toString(36)}+x`);
    redactor.add(...tokens);
    expect(redactor.size).toBe(5_000);
    for (const index of [0, 31, 32, 33, 1_234, 4_999]) {
      const token = tokens[index]!;
      const text = `a ${token} b ${encodeURIComponent(token)} c ${token}`;
      expect(redactor.string(text)).toBe('a [redacted] b [redacted] c [redacted]');
    }
    expect(redactor.string('no secret here, 2.00tok/ alone')).toBe(
      'no secret here, 2.00tok/ alone',
    );
  });

  it('leaves nothing of two secrets that overlap', () => {
    const redactor = new Redactor();
    redactor.add('abcdef', 'defghi');
    expect(redactor.string('xabcdefghiy')).toBe('x[redacted]y');
  });
});
