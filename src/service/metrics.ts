/**
 * The service's metrics in the Prometheus text exposition format (version 0.0.4): counters and
 * a histogram fed from the publishers' events and the service's own requests, rendered on
 * demand. Values live in this process only: they start at zero when it starts.
 *
 * Two families are read from the whole process rather than from the observed publishers: the
 * access-token fetches of the adapters (`release_hall_token_fetches_total`) and the pushes each
 * account has left (`release_hall_pushes_left`, worked out when a campaign that pushed on the
 * account ends, so an account has a sample once such a campaign has run in this process).
 */
import type { DeliveryFinishedEvent } from '../events.js';
import type { Publisher } from '../publisher/create-publisher.js';
import { pushesLeftReadings, tokenFetchCounts, watchPushesLeft } from '../telemetry/readings.js';

/** The Content-Type of {@link Metrics.render}'s text. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Upper bounds (seconds) of the delivery duration histogram's buckets; `+Inf` follows. */
export const DURATION_BUCKETS: readonly number[] = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Values read at scrape time rather than counted from events. */
export interface MetricReadings {
  /** Campaigns of the journal whose state is `running`. Left out: the gauge has no sample. */
  readonly campaignsRunning?: number;
}

/** One request the service answered. */
export interface ObservedRequest {
  readonly method: string;
  /** The matched route pattern (e.g. `/v1/campaigns/:id`), never the raw path. */
  readonly route: string;
  readonly status: number;
}

/** The registry of the service's metrics. */
export interface Metrics {
  /** Counts the deliveries, retries and missed deadlines of a publisher from now on. */
  observePublisher(publisher: Pick<Publisher, 'on'>): void;
  /** Counts one answered request. */
  observeRequest(request: ObservedRequest): void;
  /** Every metric in the text format, ending with a newline. */
  render(readings?: MetricReadings): string;
}

type Labels = Readonly<Record<string, string>>;

/** The samples of one metric, one per combination of label values. */
class LabelledValues<T> {
  readonly #entries = new Map<string, { labels: Labels; value: T }>();

  constructor(
    private readonly labelNames: readonly string[],
    private readonly initial: () => T,
  ) {}

  get(labels: Labels): T {
    const values = this.labelNames.map((name) => labels[name] ?? '');
    const key = JSON.stringify(values);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      // The labels in the declared order, whatever the caller's order.
      const ordered = Object.fromEntries(
        this.labelNames.map((name, index) => [name, values[index]!]),
      );
      entry = { labels: ordered, value: this.initial() };
      this.#entries.set(key, entry);
    }
    return entry.value;
  }

  /** The samples sorted by their label values, so the output does not depend on event order. */
  sorted(): { labels: Labels; value: T }[] {
    return [...this.#entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry);
  }
}

interface HistogramValue {
  /** Observations per bucket (not cumulative); the last one is `+Inf`. */
  readonly buckets: number[];
  sum: number;
  count: number;
}

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes a HELP text: backslash and line feed. */
function escapeHelp(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A sample value as the format spells it (`+Inf`, `-Inf`, `NaN` or a Go-style float). */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(labels: Labels, extra: Labels = {}): string {
  const pairs = Object.entries({ ...labels, ...extra });
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

function header(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): string[] {
  return [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`];
}

/** Creates an empty registry. */
export function createMetrics(): Metrics {
  // Campaign runs work out the pushes left of their accounts from now on.
  watchPushesLeft();
  const deliveries = new LabelledValues(['platform', 'status'], () => ({ value: 0 }));
  const durations = new LabelledValues<HistogramValue>(['platform'], () => ({
    buckets: new Array<number>(DURATION_BUCKETS.length + 1).fill(0),
    sum: 0,
    count: 0,
  }));
  const retries = new LabelledValues(['platform', 'code'], () => ({ value: 0 }));
  const requests = new LabelledValues(['method', 'route', 'status'], () => ({ value: 0 }));
  let deadlinesMissed = 0;

  const observeDuration = (platform: string, seconds: number): void => {
    const value = durations.get({ platform });
    const index = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
    value.buckets[index === -1 ? DURATION_BUCKETS.length : index]! += 1;
    value.sum += seconds;
    value.count += 1;
  };

  const onFinished = ({ result }: DeliveryFinishedEvent): void => {
    deliveries.get({ platform: result.platform, status: result.status }).value += 1;
    if (result.durationMs !== undefined) observeDuration(result.platform, result.durationMs / 1000);
  };

  const counterLines = (name: string, values: LabelledValues<{ value: number }>): string[] =>
    values
      .sorted()
      .map(({ labels, value }) => `${name}${formatLabels(labels)} ${formatValue(value.value)}`);

  return {
    observePublisher(publisher) {
      publisher.on('delivery:succeeded', onFinished);
      publisher.on('delivery:failed', onFinished);
      publisher.on('delivery:skipped', onFinished);
      publisher.on('delivery:retrying', (event) => {
        retries.get({ platform: event.platform, code: event.code }).value += 1;
      });
      publisher.on('deadline:missed', () => {
        deadlinesMissed += 1;
      });
    },

    observeRequest({ method, route, status }) {
      requests.get({ method, route, status: String(status) }).value += 1;
    },

    render(readings = {}) {
      const lines: string[] = [];
      lines.push(
        ...header(
          'release_hall_deliveries_total',
          'counter',
          'Deliveries ended in this process, by platform and status.',
        ),
        ...counterLines('release_hall_deliveries_total', deliveries),
      );
      lines.push(
        ...header(
          'release_hall_delivery_duration_seconds',
          'histogram',
          'Time from the first attempt of a delivery to its end, in seconds.',
        ),
      );
      for (const { labels, value } of durations.sorted()) {
        let cumulative = 0;
        DURATION_BUCKETS.forEach((bound, index) => {
          cumulative += value.buckets[index]!;
          lines.push(
            `release_hall_delivery_duration_seconds_bucket${formatLabels(labels, { le: formatValue(bound) })} ${cumulative}`,
          );
        });
        lines.push(
          `release_hall_delivery_duration_seconds_bucket${formatLabels(labels, { le: '+Inf' })} ${value.count}`,
          `release_hall_delivery_duration_seconds_sum${formatLabels(labels)} ${formatValue(value.sum)}`,
          `release_hall_delivery_duration_seconds_count${formatLabels(labels)} ${value.count}`,
        );
      }
      lines.push(
        ...header(
          'release_hall_delivery_retries_total',
          'counter',
          'Attempts that failed and were followed by another, by platform and error code.',
        ),
        ...counterLines('release_hall_delivery_retries_total', retries),
      );
      lines.push(
        ...header(
          'release_hall_deadline_missed_total',
          'counter',
          'Campaigns whose response deadline passed with some accounts not live yet.',
        ),
        `release_hall_deadline_missed_total ${deadlinesMissed}`,
      );
      lines.push(
        ...header(
          'release_hall_campaigns_running',
          'gauge',
          'Campaigns of the journal whose state is running.',
        ),
      );
      if (readings.campaignsRunning !== undefined) {
        lines.push(`release_hall_campaigns_running ${formatValue(readings.campaignsRunning)}`);
      }
      lines.push(
        ...header(
          'release_hall_http_requests_total',
          'counter',
          'Requests the service answered, by method, matched route and status.',
        ),
        ...counterLines('release_hall_http_requests_total', requests),
      );
      lines.push(
        ...header(
          'release_hall_token_fetches_total',
          'counter',
          'Access-token fetches the adapters made in this process (not cached reads), by platform and outcome.',
        ),
        ...tokenFetchCounts()
          .map(({ platform, outcome, count }) => ({
            key: JSON.stringify([platform, outcome]),
            line: `release_hall_token_fetches_total${formatLabels({ platform, outcome })} ${formatValue(count)}`,
          }))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .map(({ line }) => line),
      );
      lines.push(
        ...header(
          'release_hall_pushes_left',
          'gauge',
          'Pushes (mass sends) an account has left in its quota period, as last worked out when a campaign that pushed on it ended.',
        ),
        ...pushesLeftReadings()
          .sort((a, b) => (a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0))
          .map(
            (reading) =>
              `release_hall_pushes_left${formatLabels({ platform: reading.platform, account: reading.accountId, period: reading.period })} ${formatValue(reading.left)}`,
          ),
      );
      return `${lines.join('\n')}\n`;
    },
  };
}
