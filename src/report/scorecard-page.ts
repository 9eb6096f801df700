/**
 * The scorecard as a page people look at (docs/reports.md): four charts drawn to SVG on the
 * server (median delay per member, unanswered inbox items per member, reach per platform, reach
 * over time), the table of every member under them, then the campaigns missed and the figures not
 * known with why. Self-contained; every text from the hall or the journal is escaped.
 */
import { REACH_COUNTS } from '../adapter.js';
import type { ReachReading } from '../journal/reach.js';
import { formatDuration, unknownOf } from '../scorecard/render-scorecard.js';
import type { Scorecard } from '../scorecard/types.js';
import { type Cell, beijingTime, chartFigure, escapeHtml, pageDocument, table } from './page.js';
import { reachCharts } from './reach-charts.js';

/** What the scorecard page shows besides the scorecard. */
export interface ScorecardPageOptions {
  /** The hall's name, for the title. @default the hall id */
  readonly hallName?: string | undefined;
  /** The reach readings of the period's campaigns, for the reach charts. */
  readonly reach?: readonly ReachReading[] | undefined;
}

/**
 * The unit the delay chart is drawn in: seconds while every delay is under two minutes, minutes
 * under two hours, hours beyond; values with one decimal.
 */
export function delayUnit(delays: readonly number[]): {
  readonly name: 'seconds' | 'minutes' | 'hours';
  readonly of: (ms: number) => number;
} {
  const longest = Math.max(0, ...delays.map(Math.abs));
  const [name, size] =
    longest < 120_000
      ? (['seconds', 1_000] as const)
      : longest < 7_200_000
        ? (['minutes', 60_000] as const)
        : (['hours', 3_600_000] as const);
  return { name, of: (ms) => Math.round((ms / size) * 10) / 10 };
}

/** A text cell aligned as a number. */
const num = (text: string): Cell => ({ text, className: 'num' });

function memberRows(scorecard: Scorecard): { cells: Cell[]; className?: string }[] {
  return scorecard.members.map((member) => {
    const truncated = member.accounts.some((account) => account.postsTruncated === true);
    const dormant = member.dormantAccounts.length > 0;
    const cells: Cell[] = [
      member.name,
      member.memberId,
      member.tookPart,
      member.missed.length,
      num(
        member.isLead
          ? '—'
          : member.medianDelayMs === undefined
            ? '-'
            : `${formatDuration(member.medianDelayMs)} (${member.delaySamples})`,
      ),
      member.followers,
      member.postsPerWeek === undefined
        ? undefined
        : num(`${truncated ? '≥' : ''}${member.postsPerWeek.toFixed(1)}`),
      ...REACH_COUNTS.slice(0, 3).map((name) => member.reach[name] ?? 0),
      member.inboxItems,
      member.unanswered,
      num(member.medianReplyMs === undefined ? '-' : formatDuration(member.medianReplyMs)),
      dormant ? { text: member.dormantAccounts.join(' '), className: 'flag' } : '',
    ];
    return member.isLead ? { cells, className: 'lead' } : { cells };
  });
}

const HEADERS = [
  { text: 'member' },
  { text: 'id' },
  { text: 'took part', numeric: true },
  { text: 'missed', numeric: true },
  { text: 'median delay (posts)', numeric: true },
  { text: 'followers', numeric: true },
  { text: 'posts / week', numeric: true },
  { text: 'reposts', numeric: true },
  { text: 'comments', numeric: true },
  { text: 'likes', numeric: true },
  { text: 'inbox', numeric: true },
  { text: 'unanswered', numeric: true },
  { text: 'median reply', numeric: true },
  { text: 'dormant accounts' },
];

function accountRows(scorecard: Scorecard): { cells: Cell[] }[] {
  return scorecard.members.flatMap((member) =>
    member.accounts.map((account) => ({
      cells: [
        account.accountId,
        account.followers,
        account.postsSince === undefined
          ? undefined
          : num(`${account.postsTruncated === true ? '≥' : ''}${account.postsSince}`),
        account.lastPostAt === undefined ? '-' : beijingTime(account.lastPostAt),
        account.dormant === undefined
          ? undefined
          : account.dormant
            ? { text: 'dormant', className: 'flag' }
            : 'no',
        account.unknown ?? '',
      ],
    })),
  );
}

/**
 * Renders the scorecard page. Resolves with the HTML text; draws the charts with ECharts (loaded
 * on the first call).
 */
export async function renderScorecardPage(
  scorecard: Scorecard,
  options: ScorecardPageOptions = {},
): Promise<string> {
  const hallName = options.hallName ?? scorecard.hallId;
  const title = `${hallName} scorecard since ${beijingTime(scorecard.since).slice(0, 10)}`;
  const delayed = scorecard.members.filter((member) => !member.isLead);
  const unit = delayUnit(
    delayed.flatMap((member) => (member.medianDelayMs === undefined ? [] : [member.medianDelayMs])),
  );
  const charts = [
    await chartFigure({
      id: 'delay',
      title: 'Median delay after the lead’s post, per member',
      note: `The median of the ${unit.name} from the lead’s post to the member’s own; no bar: no post with a known time.`,
      spec: {
        kind: 'bar',
        categories: delayed.map((member) => member.name),
        series: [
          {
            name: `median delay (${unit.name})`,
            data: delayed.map((member) =>
              member.medianDelayMs === undefined ? null : unit.of(member.medianDelayMs),
            ),
          },
        ],
        unit: unit.name,
      },
    }),
    await chartFigure({
      id: 'unanswered',
      title: 'Unanswered inbox items, per member',
      note: 'Comments, mentions and messages of the period not marked answered.',
      spec: {
        kind: 'bar',
        categories: scorecard.members.map((member) => member.name),
        series: [
          { name: 'unanswered', data: scorecard.members.map((member) => member.unanswered) },
        ],
      },
    }),
    ...(await reachCharts(options.reach ?? [])),
  ];
  const missed = scorecard.members.filter((member) => member.missed.length > 0);
  const unknown = scorecard.members.filter((member) => unknownOf(member) !== '');
  const facts = [
    `hall: ${scorecard.hallId}`,
    `period: ${beijingTime(scorecard.since)} – ${beijingTime(scorecard.now)} (Beijing time)`,
    `campaigns: ${scorecard.campaigns.length}`,
    `dormant after ${scorecard.dormantDays} days without a post`,
  ];
  const body = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<ul class="facts">${facts.map((fact) => `<li>${escapeHtml(fact)}</li>`).join('')}</ul>`,
    `<div class="charts">${charts.join('\n')}</div>`,
    `<section class="members"><h2>Members</h2>${table(HEADERS, memberRows(scorecard), 'members')}</section>`,
    `<section class="accounts"><h2>Accounts</h2>${table(
      [
        { text: 'account' },
        { text: 'followers', numeric: true },
        { text: 'posts in period', numeric: true },
        { text: 'last post' },
        { text: 'dormant' },
        { text: 'not known because' },
      ],
      accountRows(scorecard),
      'accounts',
    )}</section>`,
    missed.length === 0
      ? ''
      : `<section class="missed"><h2>Campaigns missed</h2><ul>${missed
          .map(
            (member) =>
              `<li><strong>${escapeHtml(member.name)}</strong>: ${member.missed
                .map((entry) => `${escapeHtml(entry.campaignId)} (${escapeHtml(entry.why)})`)
                .join(', ')}</li>`,
          )
          .join('')}</ul></section>`,
    unknown.length === 0
      ? ''
      : `<section class="unknown"><h2>Not known</h2><ul>${unknown
          .map(
            (member) =>
              `<li><strong>${escapeHtml(member.name)}</strong>: ${escapeHtml(unknownOf(member))}</li>`,
          )
          .join('')}</ul></section>`,
    `<section class="campaigns"><h2>Campaigns counted</h2>${table(
      [{ text: 'campaign' }, { text: 'created (Beijing time)' }, { text: 'to' }],
      scorecard.campaigns.map((campaign) => ({
        cells: [
          campaign.id,
          beijingTime(campaign.createdAt),
          campaign.hallWide ? 'whole hall' : 'a selection',
        ],
      })),
      'campaigns',
    )}</section>`,
  ];
  return pageDocument(
    title,
    body.filter((part) => part !== ''),
    `release-hall scorecard, made ${scorecard.now}. “?” is a figure not known (see “Not known”), never 0.`,
  );
}
