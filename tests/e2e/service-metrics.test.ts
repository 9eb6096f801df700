/**
 * `GET /metrics` end to end: real HTTP on loopback with plain fetch, a durable journal, the Weibo
 * sandbox behind the publisher; the answer is checked line by line against the text format.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataFile } from 'release-hall';
import { type RunningService, startService } from 'release-hall/service';
import { statementPath } from '../helpers/beijing.js';
import { SECRETS, type Setup, setup, teardown } from '../helpers/service.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Family {
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  expect(text).toMatch(/^-?\d+(\.\d+)?(e[+-]?\d+)?$/);
  return Number(text);
}

/** Reads label pairs `name="value",…` with the format's escapes (`\\`, `\"`, `\n`). */
function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let index = 0;
  while (index < text.length) {
    const equals = text.indexOf('=', index);
    const name = text.slice(index, equals);
    expect(name).toMatch(LABEL_NAME);
    expect(text[equals + 1]).toBe('"');
    let value = '';
    let cursor = equals + 2;
    for (;;) {
      const char = text[cursor];
      expect(char, `unterminated label value in {${text}}`).toBeDefined();
      if (char === '"') break;
      if (char === '\\') {
        const escaped = text[cursor + 1];
        expect(['\\', '"', 'n']).toContain(escaped);
        value += escaped === 'n' ? '\n' : escaped;
        cursor += 2;
      } else {
        expect(char).not.toBe('\n');
        value += char;
        cursor += 1;
      }
    }
    expect(labels[name], `label ${name} twice`).toBeUndefined();
    labels[name] = value;
    cursor += 1;
    if (cursor < text.length) expect(text[cursor]).toBe(',');
    index = cursor + 1;
  }
  return labels;
}

/** A small parser of the text format 0.0.4: every line is HELP, TYPE or a sample of a typed family. */
function parseExposition(text: string): Map<string, Family> {
  expect(text.endsWith('\n')).toBe(true);
  const families = new Map<string, Family>();
  let current: string | undefined;
  for (const line of text.slice(0, -1).split('\n')) {
    const comment = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (comment !== null) {
      const [, kind, name, rest] = comment as unknown as [string, string, string, string];
      expect(name).toMatch(NAME);
      if (kind === 'HELP') {
        expect(families.has(name), `${name} declared twice`).toBe(false);
        families.set(name, { type: 'untyped', help: rest, samples: [] });
      } else {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(rest);
        const family = families.get(name);
        expect(family, `TYPE of ${name} before its HELP`).toBeDefined();
        expect(family!.samples).toHaveLength(0);
        families.set(name, { ...family!, type: rest });
      }
      current = name;
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(sample, `not a sample line: ${JSON.stringify(line)}`).not.toBeNull();
    const [, name, labelText, valueText] = sample as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    expect(current, `sample ${name} outside a family`).toBeDefined();
    const family = families.get(current!)!;
    const suffixes = family.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    expect(suffixes.map((suffix) => `${current}${suffix}`)).toContain(name);
    family.samples.push({
      name,
      labels: labelText === undefined ? {} : parseLabels(labelText),
      value: parseValue(valueText),
    });
  }
  return families;
}

function valueOf(
  families: Map<string, Family>,
  family: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  return families
    .get(family)
    ?.samples.find(
      (sample) =>
        sample.name === name &&
        Object.keys(sample.labels).length === Object.keys(labels).length &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    )?.value;
}

describe('GET /metrics', () => {
  let setUp: Setup;
  let service: RunningService;
  let publicService: RunningService;
  let statement: unknown;

  beforeAll(async () => {
    setUp = await setup();
    service = setUp.service;
    publicService = await startService({
      publisher: setUp.publisher,
      keys: setUp.keys,
      port: 0,
      publicMetrics: true,
    });
    statement = await readDataFile(statementPath, 'statement');
  });

  afterAll(async () => {
    await publicService.close();
    await teardown(setUp);
  });

  const scrape = async (target: RunningService, key?: string): Promise<Response> =>
    fetch(`${target.url}/metrics`, {
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    });

  it('needs a viewer key unless the service makes metrics public', async () => {
    const refused = await scrape(service);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect((await scrape(service, 'wrong')).status).toBe(401);
    const open = await scrape(publicService);
    expect(open.status).toBe(200);
    expect(open.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(await open.text());
    expect(families.get('release_hall_deliveries_total')?.samples).toEqual([]);
    expect(
      valueOf(families, 'release_hall_campaigns_running', 'release_hall_campaigns_running', {}),
    ).toBe(0);
  });

  it('counts the deliveries, their durations and the requests of a settled campaign', async () => {
    const created = await fetch(`${service.url}/v1/campaigns`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${SECRETS.operator}`,
        'content-type': 'application/json',
        'idempotency-key': 'metrics-1',
      },
      body: JSON.stringify({ statement, mode: 'relay' }),
    });
    expect(created.status).toBe(202);
    const { campaignId } = (await created.json()) as { campaignId: string };

    let succeeded = 0;
    let statusCalls = 0;
    for (;;) {
      const response = await fetch(`${service.url}/v1/campaigns/${campaignId}`, {
        headers: { authorization: `Bearer ${SECRETS.viewer}` },
      });
      statusCalls += 1;
      const status = (await response.json()) as {
        campaign: { state: string };
        counts: { pending: number; succeeded: number };
      };
      if (status.campaign.state !== 'running' && status.counts.pending === 0) {
        succeeded = status.counts.succeeded;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(succeeded).toBe(72);

    const response = await scrape(service, SECRETS.viewer);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await response.text();
    expect(text).toContain(
      `\nrelease_hall_deliveries_total{platform="weibo",status="succeeded"} ${succeeded}\n`,
    );
    const families = parseExposition(text);
    expect(families.get('release_hall_deliveries_total')?.type).toBe('counter');
    expect(families.get('release_hall_delivery_duration_seconds')?.type).toBe('histogram');
    expect(families.get('release_hall_campaigns_running')?.type).toBe('gauge');

    const histogram = 'release_hall_delivery_duration_seconds';
    const count = valueOf(families, histogram, `${histogram}_count`, { platform: 'weibo' });
    expect(count).toBe(succeeded);
    const buckets = families
      .get(histogram)!
      .samples.filter((sample) => sample.name === `${histogram}_bucket`);
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(buckets.at(-1)?.value).toBe(count);
    for (let index = 1; index < buckets.length; index += 1) {
      expect(buckets[index]!.value).toBeGreaterThanOrEqual(buckets[index - 1]!.value);
    }
    expect(valueOf(families, histogram, `${histogram}_sum`, { platform: 'weibo' })).toBeGreaterThan(
      0,
    );
    expect(
      valueOf(families, 'release_hall_campaigns_running', 'release_hall_campaigns_running', {}),
    ).toBe(0);

    const requests = (method: string, route: string, status: string) =>
      valueOf(families, 'release_hall_http_requests_total', 'release_hall_http_requests_total', {
        method,
        route,
        status,
      });
    expect(requests('POST', '/v1/campaigns', '202')).toBe(1);
    expect(requests('GET', '/v1/campaigns/:id', '200')).toBe(statusCalls);
    expect(requests('GET', '/metrics', '401')).toBe(2);
    // The raw path never becomes a label value.
    expect(text).not.toContain(campaignId);

    // The scrape itself is counted once it has been answered.
    const again = parseExposition(await (await scrape(service, SECRETS.viewer)).text());
    expect(
      valueOf(again, 'release_hall_http_requests_total', 'release_hall_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status: '200',
      }),
    ).toBe(1);
  });

  it('labels an unknown path by the catch-all pattern, not the path', async () => {
    expect((await fetch(`${publicService.url}/nowhere-${Date.now()}`)).status).toBe(404);
    const text = await (await scrape(publicService)).text();
    const families = parseExposition(text);
    expect(text).not.toContain('/nowhere-');
    expect(
      valueOf(families, 'release_hall_http_requests_total', 'release_hall_http_requests_total', {
        method: 'GET',
        route: '/*',
        status: '404',
      }),
    ).toBe(1);
  });
});
