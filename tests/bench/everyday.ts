/**
 * Scenario `everyday`: what an on-call press officer waits for before anything is sent. The CLI as
 * installed (the compiled `dist/`, built first) starting for `--help` and for `validate` of the
 * Beijing hall, each against a bare `node -e 0` start measured in the same run; then the library's
 * preview (every rendition of the Beijing hall's 216 accounts, the linter over each and the pre-flight) of
 * statements of growing length, to show the cost is linear in the text.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CredentialsSource,
  type Statement,
  createPublisher,
  readDataFile,
} from 'release-hall';
import { createTencentAdapter } from 'release-hall/adapters/tencent';
import { createWechatAdapter } from 'release-hall/adapters/wechat';
import { createWeiboAdapter } from 'release-hall/adapters/weibo';
import { beijingRebuttal, hallPath } from '../helpers/beijing.js';
import type { BenchRow, BenchSize, Figure, Scenario, ScenarioResult } from './bench-types.js';
import { repositoryRoot } from './bundle-script.js';
import { count, formatSpread, now, round, spreadOf, type Spread } from './measure.js';

interface EverydaySize {
  /** Starts of each command (and of the bare `node`). */
  readonly starts: number;
  /** Statement lengths, in characters of the body. */
  readonly lengths: readonly number[];
  /** Measured previews of each length (after one unmeasured). */
  readonly previews: number;
}

const SIZES: Readonly<Record<BenchSize, EverydaySize>> = {
  full: { starts: 9, lengths: [2_500, 5_000, 10_000, 20_000], previews: 5 },
  smoke: { starts: 1, lengths: [500, 1_000], previews: 1 },
};

const cli = join(repositoryRoot, 'dist', 'src', 'cli', 'main.js');

/** Wall time of one start of `node args…`, in ms; throws when it fails. */
function timeStart(args: readonly string[]): number {
  const started = now();
  const result = spawnSync(process.execPath, args, { cwd: repositoryRoot, stdio: 'pipe' });
  const elapsed = now() - started;
  if (result.status !== 0) {
    throw new Error(
      `node ${args.join(' ')} exited ${String(result.status)}: ${result.stderr.toString('utf8').slice(0, 300)}`,
    );
  }
  return elapsed;
}

/** The starts of each command, taken in turn so a busier moment weighs on all alike. */
function timeStarts(
  commands: Readonly<Record<string, readonly string[]>>,
  runs: number,
): Record<string, Spread> {
  const times: Record<string, number[]> = {};
  for (const name of Object.keys(commands)) {
    // One unmeasured start each: the file-system cache, not the command, pays for the first.
    timeStart(commands[name]!);
    times[name] = [];
  }
  for (let run = 0; run < runs; run++) {
    for (const [name, args] of Object.entries(commands)) times[name]!.push(timeStart(args));
  }
  return Object.fromEntries(
    Object.entries(times).map(([name, values]) => [name, spreadOf(values)]),
  );
}

/** Sentences of a plain official notice, repeated to `length` characters. */
function bodyOf(length: number): string {
  const sentences = [
    '经市交通委员会核实，本市地铁各线路运营正常。',
    '如遇恶劣天气或突发情况需调整运营，将通过官方渠道提前发布。',
    '请广大市民以官方发布为准，不信谣、不传谣。',
    '如需了解运营信息，可拨打12345市民服务热线咨询。',
  ];
  let body = '';
  for (let index = 0; body.length < length; index++) body += sentences[index % sentences.length];
  return body.slice(0, length);
}

/** Every account's placeholder secret: preview sends nothing. */
const placeholderCredentials: CredentialsSource = ({ fields }) =>
  Object.fromEntries(fields.map((field) => [field, 'placeholder-secret-0123456789']));

/** Milliseconds of one preview of `statement`: every rendition, the linter over each, the pre-flight. */
async function timePreview(
  publisher: ReturnType<typeof createPublisher>,
  statement: Statement,
): Promise<number> {
  const started = now();
  const preview = await publisher.preview(statement, { mode: 'relay' });
  const elapsed = now() - started;
  if (preview.deliveries.length === 0) throw new Error('preview rendered nothing');
  return elapsed;
}

async function run(size: BenchSize): Promise<ScenarioResult> {
  const begun = now();
  const { starts, lengths, previews } = SIZES[size];
  // The CLI as installed runs from `dist/`: built from the sources being measured (the smoke run
  // only checks that figures come out, and takes the build `npm ci` made when there is one).
  if (size === 'full' || !existsSync(cli)) {
    execFileSync(
      process.execPath,
      [
        join(repositoryRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.build.json',
      ],
      { cwd: repositoryRoot, stdio: 'pipe' },
    );
  }
  const startTimes = timeStarts(
    {
      node: ['-e', '0'],
      help: [cli, '--help'],
      validate: [cli, 'validate', hallPath],
    },
    starts,
  );

  const hall = await readDataFile(hallPath, 'hall file');
  const base = await beijingRebuttal();
  const publisher = createPublisher({
    hall,
    adapters: [
      createWeiboAdapter({ baseURL: 'http://127.0.0.1:9/2/', rip: '203.0.113.7' }),
      createTencentAdapter({
        baseURL: 'http://127.0.0.1:9/api/',
        appKey: '801000000',
        clientIp: '203.0.113.7',
      }),
      createWechatAdapter({ baseURL: 'http://127.0.0.1:9/cgi-bin/' }),
    ],
    credentials: placeholderCredentials,
  });
  const previewTimes: { length: number; spread: Spread }[] = [];
  let coldMs = 0;
  for (const length of lengths) {
    const statement: Statement = { ...base, body: bodyOf(length) };
    // The first preview of a process compiles the code it runs: shown apart, not in the spread.
    const first = await timePreview(publisher, statement);
    if (length === lengths[0]) coldMs = first;
    const values: number[] = [];
    for (let index = 0; index < previews; index++)
      values.push(await timePreview(publisher, statement));
    previewTimes.push({ length, spread: spreadOf(values) });
  }

  const node = startTimes.node!;
  const help = startTimes.help!;
  const validate = startTimes.validate!;
  const longest = previewTimes.at(-1)!;
  const second = previewTimes[1]!;
  // Linear: the cost per character of the longest statement against that of the second shortest
  // (the shortest is dominated by the fixed cost of planning 216 accounts).
  const perCharLongest = longest.spread.median / longest.length;
  const perCharSecond = second.spread.median / second.length;
  const growth = perCharLongest / perCharSecond;
  const ms = (value: number): string => count(value);
  const rows: BenchRow[] = [
    {
      check: '`release-hall --help` (compiled CLI, new process)',
      measured: formatSpread(help, 'ms', ms),
      baseline: `${formatSpread(node, 'ms', ms)} bare node`,
      ratio: round(help.median / node.median, 2),
      target: '< 300 ms',
      pass: help.median < 300,
    },
    {
      check: '`release-hall validate` of the Beijing hall (72 members, 216 accounts)',
      measured: formatSpread(validate, 'ms', ms),
      baseline: `${formatSpread(node, 'ms', ms)} bare node`,
      ratio: round(validate.median / node.median, 2),
      target: '< 500 ms',
      pass: validate.median < 500,
    },
    {
      check: `preview (render + lint + pre-flight) of a ${count(longest.length)}-character statement (216 accounts)`,
      measured: formatSpread(longest.spread, 'ms', ms),
      baseline: `${formatSpread(second.spread, 'ms', ms)} at ${count(second.length)} characters`,
      ratio: round(longest.spread.median / second.spread.median, 2),
      target: '< 200 ms',
      pass: longest.spread.median < 200,
    },
    {
      check: `cost per character, ${count(longest.length)} vs ${count(second.length)} characters (linear: ≈ 1)`,
      measured: `${round(perCharLongest * 1000, 2)} µs/char`,
      baseline: `${round(perCharSecond * 1000, 2)} µs/char`,
      ratio: round(growth, 2),
      target: '≤ 1.2',
      pass: growth <= 1.2,
    },
  ];
  const figures: Record<string, Figure> = {
    firstPreviewMs: round(coldMs, 1),
    nodeStartMs: round(node.median, 1),
    helpMs: round(help.median, 1),
    validateMs: round(validate.median, 1),
    nodeStartValues: node.values.map((value) => round(value, 1)).join(' '),
    helpValues: help.values.map((value) => round(value, 1)).join(' '),
    validateValues: validate.values.map((value) => round(value, 1)).join(' '),
  };
  for (const { length, spread } of previewTimes) {
    figures[`preview${length}Ms`] = round(spread.median, 1);
    figures[`preview${length}Values`] = spread.values.map((value) => round(value, 1)).join(' ');
  }
  return {
    name: 'everyday',
    title: 'Everyday speed',
    parameters: {
      cli: 'node dist/src/cli/main.js (compiled by tsc -p tsconfig.build.json at the start of the scenario)',
      starts: `${starts} measured starts of each command, taken in turn, after one unmeasured`,
      hall: 'examples/beijing-hall (72 members; Weibo, Tencent Weibo and WeChat: 216 accounts)',
      preview: `publisher.preview (relay mode: every rendition, the linter, the pre-flight), body of ${lengths.map(count).join(' / ')} characters; ${previews} measured runs each after one unmeasured, in one process`,
    },
    rows,
    figures,
    notes: [
      `The first preview of a process (${count(lengths[0] ?? 0)} characters) took ${count(coldMs)} ms: it pays for compiling the renderer and the linter, as a CLI run does once.`,
      'A start is the wall time of a new Node process until it exits; `node -e 0` is what any CLI pays before its first line.',
    ],
    durationMs: now() - begun,
  };
}

/** The `everyday` scenario. */
export const everydayScenario: Scenario = {
  name: 'everyday',
  title: 'Everyday speed',
  run,
};
