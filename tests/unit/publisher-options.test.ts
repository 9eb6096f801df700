import { describe, expect, it } from 'vitest';
import { MemoryJournal, ReleaseHallError, createPublisher } from 'release-hall';
import { createMemoryAdapter } from '../../adapters/testing/memory-adapter.js';
import { resolvePublisherOptions } from '../../src/publisher/options.js';
import { memoryHall, testCredentials } from '../helpers/fixtures.js';

function caught(run: () => unknown): ReleaseHallError {
  try {
    run();
  } catch (error) {
    if (ReleaseHallError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected INVALID_INPUT');
}

describe('publisher options', () => {
  it('resolves every default in one place', () => {
    const adapter = createMemoryAdapter();
    const settings = resolvePublisherOptions({ hall: memoryHall(1), adapters: [adapter] });
    expect(settings.retry).toMatchObject({ retries: 4, minTimeoutMs: 500, randomize: true });
    expect(settings.pausePollMs).toBe(1000);
    expect(settings.staleRunnerMs).toBe(30_000);
    expect(settings.journal).toBeInstanceOf(MemoryJournal);
    expect(typeof settings.actor).toBe('string');
    expect(settings.limits.get('memory')).toEqual(adapter.limits.rate);
    expect(settings.adapters.get('memory')).toBe(adapter);
  });

  it('lets the caller override limits over the adapter and the hall file', () => {
    const settings = resolvePublisherOptions({
      hall: memoryHall(1),
      adapters: [createMemoryAdapter()],
      limits: { memory: { platformConcurrency: 3 } },
    });
    expect(settings.limits.get('memory')?.platformConcurrency).toBe(3);
  });

  it('names the field of a bad retry setting', () => {
    const error = caught(() =>
      createPublisher({
        hall: memoryHall(1),
        adapters: [createMemoryAdapter()],
        credentials: testCredentials,
        retry: { retries: -1 },
      }),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/invalid retry options/);
    expect(error.issues?.[0]?.path).toBe('retry.retries');
  });

  it('refuses bad publisher options and two adapters of one platform', () => {
    const bad = caught(() =>
      createPublisher({ hall: memoryHall(1), adapters: [createMemoryAdapter()], pausePollMs: -5 }),
    );
    expect(bad.issues?.[0]?.path).toBe('pausePollMs');
    const twice = caught(() =>
      createPublisher({
        hall: memoryHall(1),
        adapters: [createMemoryAdapter(), createMemoryAdapter()],
      }),
    );
    expect(twice.message).toMatch(/two adapters for platform "memory"/);
  });
});
