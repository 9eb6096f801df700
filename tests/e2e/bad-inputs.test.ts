/**
 * Bad inputs a new user or a careless operator gives the CLI, each run through the real command in
 * a child process: the exit code, a message that names the offending path or file, no stack trace
 * and no secret on stdout or stderr. Sends go to the built-in sandbox or to nothing (a dry run,
 * preview, validate, lint, status, list); the commands that would reach a platform without
 * `--sandbox` get a hall whose base URLs point at a closed loopback port.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { hallPath, statementPath } from '../helpers/beijing.js';
import { type CliResult, runCli } from '../helpers/cli.js';

// ---------------------------------------------------------------------------------------------
// Fixtures, written once into a temporary folder.

interface AccountDoc {
  handle: string;
  credentials: string;
  [field: string]: unknown;
}
interface MemberDoc {
  id: string;
  name: unknown;
  groups?: string[];
  accounts: Record<string, AccountDoc>;
  [field: string]: unknown;
}
interface HallDoc {
  lead: string;
  groups: { id: string; name: string }[];
  platforms: Record<string, Record<string, unknown>>;
  members: MemberDoc[];
  [field: string]: unknown;
}
type StatementDoc = Record<string, unknown>;

const dir = mkdtempSync(join(tmpdir(), 'rh-bad-inputs-'));
const KEEP = ['beijing-fabu', 'police', 'haidian'];
const beijing = parse(readFileSync(hallPath, 'utf8')) as HallDoc;
const rebuttal = parse(readFileSync(statementPath, 'utf8')) as StatementDoc;
copyFileSync(join(statementPath, '..', 'cover.jpg'), join(dir, 'cover.jpg'));

/** The Beijing hall cut to three members (lead, a bureau, a district) on all three platforms. */
function smallHall(): HallDoc {
  const hall = structuredClone(beijing);
  hall.members = hall.members.filter((member) => KEEP.includes(member.id));
  return hall;
}
const written = new Set<string>();
/** Writes a file into the fixture folder (mode 600 unless told) and returns its path. */
function put(name: string, content: string | Buffer, mode = 0o600): string {
  if (written.has(name)) throw new Error(`fixture ${name} written twice`);
  written.add(name);
  const path = join(dir, name);
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

function hallFile(name: string, change: (hall: HallDoc) => void = () => undefined): string {
  const hall = smallHall();
  change(hall);
  return put(name, name.endsWith('.json') ? JSON.stringify(hall, null, 2) : stringify(hall));
}

function statementFile(
  name: string,
  change: (statement: StatementDoc) => void = () => undefined,
): string {
  const statement = structuredClone(rebuttal);
  change(statement);
  return put(
    name,
    name.endsWith('.json') ? JSON.stringify(statement, null, 2) : stringify(statement),
  );
}

/** Made-up secrets: none of them may ever show on stdout or stderr. */
const SECRET_MARK = 'mAdEuP-s3cr3t';
const secretOf = (ref: string): string => `${SECRET_MARK}-${ref}-Qx7`;
const FIELD: Readonly<Record<string, string>> = {
  weibo: 'access_token',
  tencent: 'access_token',
  wechat: 'secret',
};
function secretsFor(hall: HallDoc): Record<string, Record<string, string>> {
  const secrets: Record<string, Record<string, string>> = {};
  for (const { accounts } of hall.members) {
    for (const [platform, account] of Object.entries(accounts)) {
      secrets[account.credentials] = {
        [FIELD[platform] ?? 'access_token']: secretOf(account.credentials),
      };
    }
  }
  return secrets;
}
const BASEURL_PASSWORD = 'hunter2-gw-pw';
const LINK_PASSWORD = 'link-pw-0h5';
const SECRETS = [SECRET_MARK, BASEURL_PASSWORD, LINK_PASSWORD];

const hall = hallFile('hall.yaml');
const statement = statementFile('statement.yaml');
const credentials = put('credentials.yaml', stringify(secretsFor(smallHall())));
const creds = ['--credentials', credentials];
/** A hall whose platforms are a closed loopback port: nothing sent without --sandbox goes anywhere. */
const deadHall = hallFile('dead-hall.yaml', (h) => {
  for (const platform of ['weibo', 'tencent', 'wechat']) {
    h.platforms[platform] = { ...h.platforms[platform], baseURL: 'http://127.0.0.1:9/' };
  }
});

const textFile = put('notes.txt', 'meeting notes: not a journal\n');
const textFileBefore = readFileSync(textFile);
function foreignDb(name: string, applicationId?: number): string {
  const path = join(dir, name);
  const db = new Database(path);
  db.exec(
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'a')",
  );
  if (applicationId !== undefined) db.pragma(`application_id = ${applicationId}`);
  db.close();
  return path;
}
const otherAppDb = foreignDb('other-app.db');
const otherAppIdDb = foreignDb('other-app-id.db', 0x12345678);
const otherAppDbBefore = readFileSync(otherAppDb);
const emptyFile = put('empty.db', '');
const journal = join(dir, 'journal.db');
const SANDBOX_CAMPAIGN = 'rehearsal-1';
const noJournal = join(dir, 'nowhere', 'journal.db');
/**
 * The environment of every row: none of the user's own release-hall variables (secrets, a
 * credentials file, a journal), and a default journal that does not exist.
 */
const baseEnv: NodeJS.ProcessEnv = {
  ...Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => name.startsWith('RELEASE_HALL_'))
      .map((name) => [name, undefined]),
  ),
  RELEASE_HALL_JOURNAL: join(dir, 'default', 'journal.db'),
};

const imageDir = join(dir, 'images');
mkdirSync(imageDir);
const png = put(
  'cover.png',
  Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(200, 7)]),
);
const bigJpeg = put(
  'big.jpg',
  Buffer.concat([Buffer.from('ffd8ffe0', 'hex'), Buffer.alloc(70 * 1024, 1)]),
);

// ---------------------------------------------------------------------------------------------
// The rows.

interface Row {
  /** What the user did wrong. */
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** The exit code. */
  readonly code: number;
  /** Names the offending path or file. */
  readonly stderr: RegExp | string;
  readonly stdout?: RegExp | string;
  /** Extra checks, e.g. a file left untouched. */
  readonly then?: (result: CliResult) => void;
}

const validate = (file: string): string[] => ['validate', file];
const dryRun = (stmt: string, hallFilePath = hall, ...more: string[]): string[] => [
  'publish',
  stmt,
  '--hall',
  hallFilePath,
  '--dry-run',
  ...creds,
  ...more,
];
const sandbox = (stmt: string, hallFilePath = hall, ...more: string[]): string[] => [
  'publish',
  stmt,
  '--hall',
  hallFilePath,
  '--sandbox',
  '--no-progress',
  ...more,
];
const preview = (stmt: string, ...more: string[]): string[] => [
  'preview',
  stmt,
  '--hall',
  hall,
  ...creds,
  ...more,
];

const hallRows: Row[] = [
  {
    name: 'YAML that does not parse',
    args: validate(put('broken.yaml', 'id: beijing\nmembers: [\n  - id: a\n')),
    code: 2,
    stderr: /broken\.yaml: not valid YAML/,
  },
  {
    name: 'JSON that does not parse',
    args: validate(put('broken.json', '{"id": "beijing", "members": [}')),
    code: 2,
    stderr: /broken\.json: not valid JSON/,
  },
  {
    name: 'an empty file',
    args: validate(put('empty-hall.yaml', '')),
    code: 2,
    stderr: /\(root\): expected object, got null/,
  },
  {
    name: 'a list at the top',
    args: validate(put('list-hall.yaml', stringify(smallHall().members))),
    code: 2,
    stderr: /\(root\): expected object, got a list/,
  },
  {
    name: 'members as a string',
    args: validate(hallFile('members-string.yaml', (h) => Object.assign(h, { members: 'all' }))),
    code: 2,
    stderr: /members: expected array, got "all"/,
  },
  {
    name: 'a member name that is a number',
    args: validate(hallFile('name-number.yaml', (h) => (h.members[1]!.name = 110))),
    code: 2,
    stderr: /members\[1\]\.name: expected string, got 110/,
  },
  {
    name: 'an unknown top-level key',
    args: validate(hallFile('unknown-key.yaml', (h) => (h.leader = 'beijing-fabu'))),
    code: 2,
    stderr: /\(root\): unknown field "leader"/,
  },
  {
    name: 'a misspelt member key',
    args: validate(hallFile('typo-key.yaml', (h) => (h.members[2]!.shortname = '海淀'))),
    code: 2,
    stderr: /members\[2\]: unknown field "shortname"/,
  },
  {
    name: 'duplicate member ids',
    args: validate(hallFile('duplicate-id.yaml', (h) => (h.members[2]!.id = 'police'))),
    code: 2,
    stderr: /members\[2\]\.id: duplicate member id "police" \(also members\[1\]\)/,
  },
  {
    name: 'two members on one Weibo uid',
    args: validate(
      hallFile('same-uid.yaml', (h) => {
        h.members[2]!.accounts.weibo!.uid = h.members[1]!.accounts.weibo!.uid;
      }),
    ),
    code: 2,
    stderr:
      /members\[2\]\.accounts\.weibo\.uid: uid "7132135868" on weibo is also the account of member "police"/,
  },
  {
    name: 'two members on one WeChat appid',
    args: validate(
      hallFile('same-appid.yaml', (h) => {
        h.members[2]!.accounts.wechat!.appid = h.members[0]!.accounts.wechat!.appid;
      }),
    ),
    code: 2,
    stderr: /members\[2\]\.accounts\.wechat\.appid: .*also the account of member "beijing-fabu"/,
  },
  {
    name: 'two members on one Tencent openid',
    args: validate(
      hallFile('same-openid.yaml', (h) => {
        h.members[1]!.accounts.tencent!.openid = h.members[0]!.accounts.tencent!.openid;
      }),
    ),
    code: 2,
    stderr: /members\[1\]\.accounts\.tencent\.openid: .*also the account of member "beijing-fabu"/,
  },
  {
    name: 'two members on one credentials reference',
    args: validate(
      hallFile('same-credentials.yaml', (h) => {
        h.members[2]!.accounts.weibo!.credentials = 'weibo-police';
      }),
    ),
    code: 2,
    stderr:
      /members\[2\]\.accounts\.weibo\.credentials: credentials "weibo-police" are also used by member "police"/,
  },
  {
    name: 'an unquoted 20-digit uid',
    args: validate(
      put(
        'long-uid.yaml',
        stringify(smallHall()).replace(/uid: "?2418724427"?/, 'uid: 24187244271234567890'),
      ),
    ),
    code: 2,
    stderr:
      /members\[0\]\.accounts\.weibo\.uid: the number .* is too long to be read exactly.*put it in quotes/,
  },
  {
    name: 'a Weibo uid that is not digits',
    args: validate(
      hallFile('uid-letters.yaml', (h) => (h.members[1]!.accounts.weibo!.uid = 'pingan')),
    ),
    code: 2,
    stderr: /members\[1\]\.accounts\.weibo\.uid: expected digits, got "pingan"/,
  },
  {
    name: 'a WeChat appid of the wrong shape',
    args: validate(
      hallFile('bad-appid.yaml', (h) => (h.members[1]!.accounts.wechat!.appid = 'wx123')),
    ),
    code: 2,
    stderr: /members\[1\]\.accounts\.wechat\.appid/,
  },
  {
    name: 'a base URL with a user name and password (sandbox publish)',
    args: sandbox(
      statement,
      hallFile('userinfo-url.yaml', (h) => {
        h.platforms.weibo!.baseURL = `https://admin:${BASEURL_PASSWORD}@gw.example.gov.cn/weibo/2/`;
      }),
    ),
    code: 2,
    stderr: /platforms\.weibo\.baseURL: a base URL must not carry a user name or password/,
  },
  {
    name: 'a base URL that is not http(s)',
    args: validate(
      hallFile('ftp-url.yaml', (h) => (h.platforms.weibo!.baseURL = 'ftp://gw.example.gov.cn/')),
    ),
    code: 2,
    stderr: /platforms\.weibo\.baseURL: expected an absolute http\(s\) URL/,
  },
  {
    name: 'requestTimeoutMs 1e10',
    args: validate(
      hallFile(
        'huge-timeout.yaml',
        (h) => (h.platforms.weibo!.limits = { requestTimeoutMs: 1e10 }),
      ),
    ),
    code: 2,
    stderr: /platforms\.weibo\.limits\.requestTimeoutMs: expected a timeout of at most 600000 ms/,
  },
  {
    name: 'postsPerWindow 0',
    args: validate(
      hallFile('zero-posts.yaml', (h) => (h.platforms.weibo!.limits = { postsPerWindow: 0 })),
    ),
    code: 2,
    stderr: /platforms\.weibo\.limits\.postsPerWindow/,
  },
  {
    name: 'a lead that is not a member',
    args: validate(hallFile('unknown-lead.yaml', (h) => (h.lead = 'beijing-fabu-office'))),
    code: 2,
    stderr: /lead: lead "beijing-fabu-office" is not a member/,
  },
  {
    name: 'no members',
    args: validate(hallFile('no-members.yaml', (h) => (h.members = []))),
    code: 2,
    stderr: /members: expected at least one member/,
  },
  {
    name: 'a member in an undeclared group',
    args: validate(hallFile('unknown-group.yaml', (h) => (h.members[2]!.groups = ['district']))),
    code: 2,
    stderr: /members\[2\]\.groups\[0\]: unknown group "district"/,
  },
  {
    name: 'an account on a platform with no adapter',
    args: validate(
      hallFile('douyin.yaml', (h) => {
        h.members[1]!.accounts.douyin = { handle: '平安北京', credentials: 'douyin-police' };
      }),
    ),
    code: 2,
    stderr: /members\[1\]\.accounts\.douyin: no adapter for platform "douyin"/,
  },
  {
    name: 'a key given twice',
    args: validate(put('twice.yaml', `${stringify(smallHall())}lead: police\n`)),
    code: 2,
    stderr: /twice\.yaml: not valid YAML: Map keys must be unique at line \d+/,
  },
  {
    name: 'a rip that is not an IP address',
    args: validate(
      hallFile('bad-rip.yaml', (h) => {
        (h.platforms.weibo!.settings as Record<string, unknown>).rip = '203.0.113';
      }),
    ),
    code: 2,
    stderr: /platforms\.weibo\.settings\.rip: expected an IPv4 or IPv6 address, got "203\.0\.113"/,
  },
  {
    name: 'a WeChat account kind out of the list',
    args: validate(
      hallFile('bad-wechat-kind.yaml', (h) => (h.members[1]!.accounts.wechat!.kind = 'enterprise')),
    ),
    code: 2,
    stderr: /members\[1\]\.accounts\.wechat\.kind: .*"enterprise"/,
  },
  {
    name: 'a member id in capitals',
    args: validate(hallFile('capital-id.yaml', (h) => (h.members[1]!.id = 'Police'))),
    code: 2,
    stderr:
      /members\[1\]\.id: expected an id of lower-case letters, digits and dashes .*got "Police"/,
  },
  {
    name: 'an unquoted 10-digit uid is accepted',
    args: validate(
      put(
        'short-uid.yaml',
        stringify(smallHall()).replace(/uid: "?2418724427"?/, 'uid: 2418724427'),
      ),
    ),
    code: 0,
    stderr: /^$/,
    stdout: /short-uid\.yaml: valid\./,
  },
  {
    name: 'a site domain written as a URL',
    args: validate(
      hallFile('site-url.yaml', (h) => (h.site = { domain: 'https://www.beijing.gov.cn/' })),
    ),
    code: 2,
    stderr: /site\.domain: expected a domain name/,
  },
  {
    name: 'an SQLite file given as the hall',
    args: validate(otherAppDb),
    code: 2,
    stderr: /\(root\): expected object, got "SQLite format 3/,
  },
  {
    name: 'platform settings written as a string',
    args: validate(
      hallFile('weibo-string.yaml', (h) => Object.assign(h.platforms, { weibo: 'share' })),
    ),
    code: 2,
    stderr: /platforms\.weibo: expected object, got "share"/,
  },
  {
    name: 'two members on one Tencent handle',
    args: validate(
      hallFile('same-handle.yaml', (h) => {
        h.members[2]!.accounts.tencent!.handle = h.members[1]!.accounts.tencent!.handle;
      }),
    ),
    code: 2,
    stderr:
      /members\[2\]\.accounts\.tencent\.handle: account "bjpolice" on tencent is also listed for member "police"/,
  },
  {
    name: 'a WeChat default cover that does not exist (sandbox publish)',
    args: sandbox(
      statementFile('no-images.yaml', (s) => (s.images = [])),
      hallFile('missing-default-cover.yaml', (h) => {
        h.platforms.wechat = { settings: { defaultCover: join(dir, 'gone', 'cover.jpg') } };
      }),
      '--platform',
      'wechat',
    ),
    code: 2,
    stderr:
      /platforms\.wechat\.settings\.defaultCover: cannot read the image file ".*gone\/cover\.jpg"/,
  },
  {
    name: 'a hall file that does not exist',
    args: validate(join(dir, 'hal.yaml')),
    code: 2,
    stderr: /hal\.yaml: file not found/,
  },
  {
    name: 'a folder as the hall file',
    args: validate(imageDir),
    code: 2,
    stderr: /images: cannot read the file \(EISDIR\)/,
  },
  {
    name: 'a UTF-8 BOM before JSON is accepted',
    args: validate(put('bom-hall.json', `\uFEFF${JSON.stringify(smallHall(), null, 2)}`)),
    code: 0,
    stderr: /^$/,
    stdout: /bom-hall\.json: valid\. 北京微博发布厅 \(beijing\), lead beijing-fabu, 3 members/,
  },
  {
    name: 'a UTF-8 BOM before JSON is accepted by a dry run too',
    args: dryRun(statement, put('bom-hall-2.json', `\uFEFF${JSON.stringify(smallHall())}`)),
    code: 0,
    stderr: /^$/,
    stdout: /haidian\/weibo/,
  },
];

const statementRows: Row[] = [
  {
    name: 'no headline',
    args: dryRun(statementFile('no-headline.yaml', (s) => delete s.headline)),
    code: 2,
    stderr: /headline: expected string, got nothing/,
  },
  {
    name: 'a headline over 200 characters',
    args: dryRun(statementFile('long-headline.yaml', (s) => (s.headline = '网传'.repeat(101)))),
    code: 2,
    stderr: /headline: expected at most 200 characters/,
  },
  {
    name: 'a NUL in the body',
    args: dryRun(statementFile('nul.json', (s) => (s.body = `${String(s.body)}\u0000尾`))),
    code: 2,
    stderr: /body: holds a NUL character \(U\+0000\)/,
  },
  {
    name: 'a control character in the headline',
    args: preview(statementFile('bell.json', (s) => (s.headline = '网传\u0007不实'))),
    code: 2,
    stderr: /headline: holds a control character \(U\+0007\) at character 3/,
  },
  {
    name: 'a bidi override in the issuer',
    args: dryRun(statementFile('bidi.json', (s) => (s.issuer = '北京市\u202E局员委通交'))),
    code: 2,
    stderr: /issuer: holds a bidirectional override .*\(U\+202E\)/,
  },
  {
    name: 'an unpaired surrogate in the headline',
    args: dryRun(statementFile('surrogate.json', (s) => (s.headline = '网传\uD800不实'))),
    code: 2,
    stderr: /headline: holds an unpaired surrogate \(U\+D800\)/,
  },
  {
    name: 'an unpaired surrogate in a fact',
    args: sandbox(statementFile('surrogate-fact.json', (s) => (s.facts = ['运营正常\uDC00']))),
    code: 2,
    stderr: /facts\[0\]: holds an unpaired surrogate \(U\+DC00\)/,
  },
  {
    name: 'a body over 50,000 characters',
    args: dryRun(statementFile('long-body.yaml', (s) => (s.body = '谣'.repeat(50_001)))),
    code: 2,
    stderr: /body: expected at most 50000 characters/,
  },
  {
    name: 'an unknown kind',
    args: dryRun(statementFile('bad-kind.yaml', (s) => (s.kind = 'press-release'))),
    code: 2,
    stderr: /kind: .*"press-release"/,
  },
  {
    name: 'issuedAt without an offset',
    args: dryRun(statementFile('no-offset.yaml', (s) => (s.issuedAt = '2026-11-26T09:30:00'))),
    code: 2,
    stderr: /issuedAt: expected an ISO 8601 time with offset/,
  },
  {
    name: 'a topic with #',
    args: dryRun(statementFile('hash-topic.yaml', (s) => (s.topics = ['#北京地铁#']))),
    code: 2,
    stderr: /topics\[0\]: expected a topic without "#" or spaces/,
  },
  {
    name: 'a link with a space',
    args: dryRun(
      statementFile(
        'space-link.yaml',
        (s) => (s.link = 'https://www.beijing.gov.cn/ywdt/a b.html'),
      ),
    ),
    code: 2,
    stderr: /link: holds a space or control character at character 34/,
  },
  {
    name: 'a link that is not http(s)',
    args: dryRun(
      statementFile('ftp-link.yaml', (s) => (s.link = 'ftp://www.beijing.gov.cn/a.html')),
    ),
    code: 2,
    stderr: /link: expected an absolute http\(s\) URL/,
  },
  {
    name: 'a link with a user name and password',
    args: sandbox(
      statementFile(
        'userinfo-link.yaml',
        (s) => (s.link = `https://editor:${LINK_PASSWORD}@www.beijing.gov.cn/a.html`),
      ),
    ),
    code: 2,
    stderr: /link: a link must not carry a user name or password/,
  },
  {
    name: 'a link with Chinese text',
    args: dryRun(
      statementFile(
        'chinese-link.yaml',
        (s) => (s.link = 'https://www.beijing.gov.cn/辟谣/1.html'),
      ),
    ),
    code: 2,
    stderr: /link: holds characters the platforms do not count as part of a link.*%E8%BE%9F/,
  },
  {
    name: 'a PNG as the WeChat cover',
    args: dryRun(statementFile('png-cover.yaml', (s) => (s.images = [png]))),
    code: 2,
    stderr: /images\[0\]: ".*cover\.png": a WeChat cover \(thumb\) must be a JPEG, this is a PNG/,
  },
  {
    name: 'a JPEG over 64 KB as the cover',
    args: preview(statementFile('big-cover.yaml', (s) => (s.images = [bigJpeg]))),
    code: 2,
    stderr:
      /images\[0\]: ".*big\.jpg": a WeChat cover \(thumb\) must be at most 64 KB, this is 71 KB/,
  },
  {
    name: 'a missing image file',
    args: sandbox(statementFile('missing-image.yaml', (s) => (s.images = ['covr.jpg']))),
    code: 2,
    stderr: /images\[0\]: cannot read the image file ".*covr\.jpg"/,
  },
  {
    name: 'a folder as an image',
    args: dryRun(statementFile('folder-image.yaml', (s) => (s.images = [imageDir]))),
    code: 2,
    stderr: /images\[0\]: cannot read the image file ".*\/images"/,
  },
  {
    name: 'a rebuttal without the rumor',
    args: dryRun(statementFile('no-rumor.yaml', (s) => delete s.rumor)),
    code: 2,
    stderr: /rumor: a rebuttal needs the rumor it answers/,
  },
  {
    name: 'a rebuttal with no facts',
    args: dryRun(statementFile('no-facts.yaml', (s) => (s.facts = []))),
    code: 2,
    stderr: /facts: a rebuttal needs at least one fact/,
  },
  {
    name: 'a misspelt field',
    args: dryRun(statementFile('typo-field.yaml', (s) => (s.headLine = s.headline))),
    code: 2,
    stderr: /unknown field "headLine"/,
  },
  {
    name: 'a statement id with spaces',
    args: dryRun(statementFile('bad-id.yaml', (s) => (s.id = 'subway rumor'))),
    code: 2,
    stderr: /id: expected letters, digits/,
  },
  {
    name: 'images as one string, not a list',
    args: dryRun(statementFile('images-string.yaml', (s) => (s.images = 'cover.jpg'))),
    code: 2,
    stderr: /images: expected array, got "cover\.jpg"/,
  },
  {
    name: 'an empty body',
    args: dryRun(statementFile('empty-body.yaml', (s) => (s.body = ''))),
    code: 2,
    stderr: /body: .*got ""/,
  },
  {
    name: 'a day that does not exist',
    args: dryRun(statementFile('feb-30.yaml', (s) => (s.issuedAt = '2026-02-30T09:30:00+08:00'))),
    code: 2,
    stderr: /issuedAt: expected an ISO 8601 time with offset.*got "2026-02-30T09:30:00\+08:00"/,
  },
  {
    name: 'an image given as a URL',
    args: preview(
      statementFile('url-image.yaml', (s) => (s.images = ['https://example.com/a.jpg'])),
    ),
    code: 2,
    stderr: /images\[0\]: "https:\/\/example\.com\/a\.jpg" is a URL/,
  },
  {
    name: 'an unquoted issuedAt is accepted',
    args: dryRun(
      put(
        'unquoted-time.yaml',
        stringify(rebuttal).replace(/^issuedAt: .*$/m, 'issuedAt: 2026-11-26T09:30:00+08:00'),
      ),
    ),
    code: 0,
    stderr: /^$/,
    stdout: /haidian\/tencent/,
  },
  {
    name: 'a headline that cannot fit a Weibo post',
    args: dryRun(statementFile('unfit-headline.yaml', (s) => (s.headline = '网'.repeat(199)))),
    code: 2,
    stderr:
      /the headline of statement "rumor-subway-2026-11-26" does not fit weibo-140 .*shorten the headline/,
  },
  {
    name: 'a picture given as the statement',
    args: dryRun(join(dir, 'cover.jpg')),
    code: 2,
    stderr: /cover\.jpg: not valid YAML/,
  },
  {
    name: 'a statement file that does not exist',
    args: dryRun(join(dir, 'rebutal.yaml')),
    code: 2,
    stderr: /rebutal\.yaml: file not found/,
  },
  {
    name: 'a statement YAML that does not parse',
    args: preview(put('broken-statement.yaml', 'kind: rebuttal\nheadline: "unclosed\n')),
    code: 2,
    stderr: /broken-statement\.yaml: not valid YAML/,
  },
  {
    name: 'a #topic# in the headline on Weibo share',
    args: dryRun(
      statementFile('topic-headline.yaml', (s) => (s.headline = '#北京地铁#网传停运不实')),
    ),
    code: 2,
    stderr: /headline: weibo .*refuses #topic# marks/,
  },
  {
    name: "a link off the hall's domain on Weibo share",
    args: dryRun(statementFile('off-domain.yaml', (s) => (s.link = 'https://example.com/a.html'))),
    code: 2,
    stderr: /link: weibo refuses posts without a link on www\.beijing\.gov\.cn/,
  },
  {
    name: 'a UTF-8 BOM before a JSON statement is accepted',
    args: dryRun(put('bom-statement.json', `\uFEFF${JSON.stringify(rebuttal)}`)),
    code: 0,
    stderr: /^$/,
    stdout: /beijing-fabu\/weibo/,
  },
];

const credentialRows: Row[] = [
  {
    name: 'a credentials file that does not exist',
    args: dryRun(statement, hall, '--credentials', join(dir, 'credentails.yaml')),
    code: 2,
    stderr: /credentails\.yaml: file not found/,
  },
  {
    name: 'a credentials file that does not exist (sandbox publish)',
    args: sandbox(statement, hall, '--credentials', join(dir, 'credential.yaml')),
    code: 2,
    stderr: /credential\.yaml: file not found/,
  },
  {
    name: 'a YAML list instead of a map',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put('list-credentials.yaml', stringify(Object.values(secretsFor(smallHall())))),
    ),
    code: 2,
    stderr: /list-credentials\.yaml must map each reference to its fields/,
  },
  {
    name: 'an entry that is a string',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put(
        'string-entry.yaml',
        stringify({ ...secretsFor(smallHall()), 'weibo-haidian': secretOf('weibo-haidian') }),
      ),
    ),
    code: 2,
    stderr: /weibo-haidian: expected the fields of this reference/,
  },
  {
    name: 'a nested object as a value',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put(
        'nested-value.yaml',
        stringify({
          ...secretsFor(smallHall()),
          'weibo-police': { access_token: { value: secretOf('weibo-police') } },
        }),
      ),
    ),
    code: 2,
    stderr: /weibo-police\.access_token: expected a string, got object/,
  },
  {
    name: 'a null value',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put(
        'null-value.yaml',
        stringify({ ...secretsFor(smallHall()), 'wechat-police': { secret: null } }),
      ),
    ),
    code: 2,
    stderr: /wechat-police\.secret: expected a string, got null/,
  },
  {
    name: 'a file other users may read (mode 644): a warning only',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put('open-credentials.yaml', stringify(secretsFor(smallHall())), 0o644),
    ),
    code: 0,
    stderr:
      /warning: .*open-credentials\.yaml may be read by other users \(mode 644\): run chmod 600/,
    stdout: /haidian\/wechat/,
  },
  {
    name: 'YAML that does not parse (the text around the error holds a secret)',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put(
        'broken-credentials.yaml',
        `weibo-haidian: { access_token: "${secretOf('x')}\n  other: [\n`,
      ),
    ),
    code: 2,
    stderr: /broken-credentials\.yaml: not valid YAML: syntax error/,
  },
  {
    name: 'JSON that does not parse (the text around the error holds a secret)',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put(
        'broken-credentials.json',
        `{"weibo-haidian": {"access_token": "${secretOf('x')}" "x": 1}}`,
      ),
    ),
    code: 2,
    stderr: /broken-credentials\.json: not valid JSON: syntax error/,
  },
  {
    name: 'an empty credentials file',
    args: dryRun(statement, hall, '--credentials', put('empty-credentials.yaml', '')),
    code: 2,
    stderr: /empty-credentials\.yaml must map each reference to its fields/,
  },
  {
    name: 'a folder as the credentials file',
    args: dryRun(statement, hall, '--credentials', imageDir),
    code: 2,
    stderr: /images: cannot read the file \(EISDIR\)/,
  },
  {
    name: 'a picture given as the credentials file',
    args: dryRun(statement, hall, '--credentials', join(dir, 'cover.jpg')),
    code: 2,
    stderr: /cover\.jpg: not valid YAML: syntax error at line \d+/,
  },
  {
    name: 'the hall file given as the credentials file',
    args: dryRun(statement, hall, '--credentials', hall),
    code: 2,
    stderr: /invalid credentials file .*hall\.yaml:\n {2}id: expected the fields of this reference/,
  },
  {
    name: 'a secret under the wrong field name',
    args: dryRun(
      statement,
      hall,
      '--credentials',
      put(
        'wrong-field.yaml',
        stringify({
          ...secretsFor(smallHall()),
          'weibo-haidian': { token: secretOf('weibo-haidian') },
        }),
      ),
    ),
    code: 2,
    stderr: /accounts\.haidian\/weibo\.credentials: .*"weibo-haidian".*"access_token"/,
  },
  {
    name: 'no credentials at all',
    args: ['publish', statement, '--hall', hall, '--dry-run'],
    code: 2,
    stderr: /credentials: 9 accounts have no credentials/,
  },
  {
    name: 'RELEASE_HALL_CREDENTIALS naming a missing file',
    args: ['publish', statement, '--hall', hall, '--dry-run'],
    env: { RELEASE_HALL_CREDENTIALS: join(dir, 'gone.yaml') },
    code: 2,
    stderr: /gone\.yaml: file not found/,
    // One clear error about the file, not one per account.
    then: (result) => expect(result.stderr).not.toMatch(/accounts have no credentials/),
  },
];

const journalRows: Row[] = [
  {
    name: 'a text file as the journal of a sandbox publish',
    args: sandbox(statement, hall, '--journal', textFile),
    code: 2,
    stderr:
      /notes\.txt is not a release-hall journal \(not an SQLite database\); it was left untouched/,
    then: () => expect(readFileSync(textFile)).toEqual(textFileBefore),
  },
  {
    name: 'a text file as the journal of a dry run',
    args: dryRun(statement, hall, '--journal', textFile),
    code: 2,
    stderr: /notes\.txt is not a release-hall journal/,
    then: () => expect(readFileSync(textFile)).toEqual(textFileBefore),
  },
  {
    name: 'a text file as the journal of status',
    args: ['status', SANDBOX_CAMPAIGN, '--journal', textFile],
    code: 2,
    stderr: /notes\.txt is not a release-hall journal/,
  },
  {
    name: 'a text file as the journal of list',
    args: ['list', '--journal', textFile],
    code: 2,
    stderr: /notes\.txt is not a release-hall journal/,
  },
  {
    name: "another application's SQLite database for a sandbox publish",
    args: sandbox(statement, hall, '--journal', otherAppDb),
    code: 2,
    stderr:
      /other-app\.db is not a release-hall journal \(an SQLite database with other tables: users\)/,
    then: () => expect(readFileSync(otherAppDb)).toEqual(otherAppDbBefore),
  },
  {
    name: "another application's SQLite database (with its application id) for preview",
    args: preview(statement, '--journal', otherAppIdDb),
    code: 2,
    stderr:
      /other-app-id\.db is not a release-hall journal \(an SQLite database of another application/,
  },
  {
    name: 'an empty file as the journal of list',
    args: ['list', '--journal', emptyFile],
    code: 2,
    stderr: /empty\.db is not a release-hall journal/,
  },
  {
    name: 'a folder as the journal',
    args: ['status', SANDBOX_CAMPAIGN, '--journal', imageDir],
    code: 2,
    stderr: /images is not a release-hall journal \(a folder\)/,
  },
  {
    name: 'status without a journal',
    args: ['status', SANDBOX_CAMPAIGN, '--journal', noJournal],
    code: 2,
    stderr: /no journal at .*nowhere\/journal\.db/,
  },
  {
    name: 'list without a journal',
    args: ['list', '--journal', noJournal],
    code: 2,
    stderr: /no journal at .*nowhere\/journal\.db/,
  },
  {
    name: 'RELEASE_HALL_JOURNAL naming a text file',
    args: ['list'],
    env: { RELEASE_HALL_JOURNAL: textFile },
    code: 2,
    stderr: /notes\.txt is not a release-hall journal/,
  },
  {
    name: 'status of an unknown campaign',
    args: ['status', 'rumor-subway-2026-11-62', '--journal', journal],
    code: 2,
    stderr: /rumor-subway-2026-11-62/,
  },
  {
    name: 'resume of an unknown campaign',
    args: ['resume', 'rumor-subway-2026-11-62', '--hall', deadHall, ...creds, '--journal', journal],
    code: 2,
    stderr: /rumor-subway-2026-11-62/,
  },
  {
    name: 'retract of an unknown campaign',
    args: [
      'retract',
      'rumor-subway-2026-11-62',
      '--hall',
      deadHall,
      ...creds,
      '--journal',
      journal,
    ],
    code: 2,
    stderr: /rumor-subway-2026-11-62/,
  },
  {
    name: 'resume of a sandbox rehearsal on the real accounts',
    args: ['resume', SANDBOX_CAMPAIGN, '--hall', deadHall, ...creds, '--journal', journal],
    code: 2,
    stderr: /rehearsal-1.*was a rehearsal on the built-in sandbox/,
  },
  {
    name: 'pause of an unknown campaign',
    args: [
      'pause',
      'rumor-subway-2026-11-62',
      '--hall',
      deadHall,
      '--journal',
      journal,
      '--reason',
      'hold',
    ],
    code: 2,
    stderr: /campaignId: no campaign "rumor-subway-2026-11-62" in the journal/,
  },
  {
    name: 'follow-up of a sandbox rehearsal on the real accounts',
    args: [
      'follow-up',
      SANDBOX_CAMPAIGN,
      statement,
      '--hall',
      deadHall,
      ...creds,
      '--journal',
      journal,
    ],
    code: 2,
    stderr: /campaign "rehearsal-1" was a rehearsal on the built-in sandbox/,
  },
  {
    name: 'a campaign id already in the journal',
    args: sandbox(statement, hall, '--journal', journal, '--campaign-id', SANDBOX_CAMPAIGN),
    code: 2,
    stderr: /campaignId: campaign "rehearsal-1" is already in the journal/,
  },
  {
    name: '/dev/null as the journal of list',
    args: ['list', '--journal', '/dev/null'],
    code: 2,
    stderr: /\/dev\/null is not a release-hall journal/,
  },
  {
    name: 'a text file as the journal of resume',
    args: ['resume', SANDBOX_CAMPAIGN, '--hall', deadHall, ...creds, '--journal', textFile],
    code: 2,
    stderr: /notes\.txt is not a release-hall journal/,
    then: () => expect(readFileSync(textFile)).toEqual(textFileBefore),
  },
  {
    name: 'retract of a sandbox rehearsal on the real accounts',
    args: ['retract', SANDBOX_CAMPAIGN, '--hall', deadHall, ...creds, '--journal', journal],
    code: 2,
    stderr: /campaign "rehearsal-1" was a rehearsal on the built-in sandbox/,
  },
  {
    name: 'status with a hall file that does not parse',
    args: [
      'status',
      SANDBOX_CAMPAIGN,
      '--journal',
      journal,
      '--hall',
      put('status-hall.yaml', `${stringify(smallHall())}id: beijing\n`),
    ],
    code: 2,
    stderr: /status-hall\.yaml: not valid YAML: Map keys must be unique/,
  },
  {
    name: 'status of a campaign with the wrong hall',
    args: [
      'status',
      SANDBOX_CAMPAIGN,
      '--journal',
      journal,
      '--hall',
      hallFile('other-hall.yaml', (h) => (h.id = 'shanghai')),
    ],
    code: 2,
    stderr: /campaign "rehearsal-1" belongs to hall "beijing", not "shanghai"/,
  },
];

const flagRows: Row[] = [
  {
    name: 'an unknown flag',
    args: ['publish', statement, '--hall', hall, '--dryrun'],
    code: 2,
    stderr: /unknown option '--dryrun'/,
  },
  {
    name: 'an unknown command',
    args: ['publsh', statement, '--hall', hall],
    code: 2,
    stderr: /unknown command 'publsh'/,
  },
  {
    name: '--mode bogus',
    args: dryRun(statement, hall, '--mode', 'broadcast'),
    code: 2,
    stderr:
      /option '--mode <mode>' argument 'broadcast' is invalid\. Allowed choices are relay, original/,
  },
  {
    name: '--push bogus',
    args: preview(statement, '--push', 'always'),
    code: 2,
    stderr: /option '--push <policy>' argument 'always' is invalid/,
  },
  {
    name: '--fallback bogus',
    args: dryRun(statement, hall, '--fallback', 'retry'),
    code: 2,
    stderr: /option '--fallback <what>' argument 'retry' is invalid/,
  },
  {
    name: '--push-member naming nobody',
    args: dryRun(statement, hall, '--push', 'push', '--push-member', 'haidian,nobody'),
    code: 2,
    stderr: /push\.members\[1\]: .*"nobody"/,
  },
  {
    name: '--push-member with --push publish',
    args: preview(statement, '--push', 'publish', '--push-member', 'haidian'),
    code: 2,
    stderr: /push\.members: push members were named but the push policy is "publish"/,
  },
  {
    name: '--member ghost',
    args: dryRun(statement, hall, '--member', 'haidian,ghost'),
    code: 2,
    stderr: /selection\.members\[1\]: .*"ghost"/,
  },
  {
    name: '--group ghost',
    args: sandbox(statement, hall, '--group', 'ghost'),
    code: 2,
    stderr: /selection\.groups\[0\]: .*"ghost"/,
  },
  {
    name: '--platform ghost',
    args: dryRun(statement, hall, '--platform', 'weibo,douyin'),
    code: 2,
    stderr: /selection\.platforms\[1\]: .*"douyin"/,
  },
  {
    name: '--exclude ghost',
    args: dryRun(statement, hall, '--exclude', 'ghost'),
    code: 2,
    stderr: /selection\.exclude\[0\]: .*"ghost"/,
  },
  {
    name: 'a selection that leaves nobody',
    args: sandbox(statement, hall, '--member', 'haidian', '--exclude', 'haidian'),
    code: 2,
    stderr: /selection: selects no account/,
  },
  {
    name: '--campaign-id with a space and a slash',
    args: sandbox(statement, hall, '--campaign-id', 'subway rumor/1'),
    code: 2,
    stderr: /campaignId: expected letters, digits, .*got "subway rumor\/1"/,
  },
  {
    name: 'pause without --reason',
    args: ['pause', SANDBOX_CAMPAIGN, '--hall', deadHall, '--journal', journal],
    code: 2,
    stderr: /required option '--reason <text>' not specified/,
  },
  {
    name: 'status without a campaign id',
    args: ['status', '--journal', journal],
    code: 2,
    stderr: /missing required argument 'campaign-id'/,
  },
  {
    name: 'publish without --hall',
    args: ['publish', statement, '--dry-run'],
    code: 2,
    stderr: /required option '--hall <file>' not specified/,
  },
  {
    name: 'publish without a statement',
    args: ['publish', '--hall', hall, '--dry-run'],
    code: 2,
    stderr: /missing required argument 'statement'/,
  },
  {
    name: '--journal without a value',
    args: ['list', '--journal'],
    code: 2,
    stderr: /option '--journal <file>' argument missing/,
  },
  {
    name: 'validate with two files',
    args: ['validate', hall, statement],
    code: 2,
    stderr: /too many arguments for 'validate'/,
  },
  {
    name: 'a statement given to validate',
    args: ['validate', statement],
    code: 2,
    stderr: /\(root\): unknown fields/,
  },
  {
    name: 'a hall given as the statement',
    args: dryRun(hall),
    code: 2,
    stderr: /unknown fields "id"|kind: /,
  },
  {
    name: '--sandbox with --dry-run: a note, and nothing sent',
    args: ['publish', statement, '--hall', hall, '--sandbox', '--dry-run'],
    code: 0,
    stderr: /note: --dry-run sends nothing, not even to the sandbox/,
    stdout: /haidian\/weibo/,
  },
];

const lintRows: Row[] = [
  {
    name: 'lint of a file that does not exist',
    args: ['lint', join(dir, 'statment.yaml')],
    code: 2,
    stderr: /statment\.yaml: file not found/,
  },
  {
    name: 'lint against a bad hall',
    args: ['lint', statement, '--hall', hallFile('lint-hall.yaml', (h) => (h.lead = 'nobody'))],
    code: 2,
    stderr: /lead: lead "nobody" is not a member/,
  },
  {
    name: "lint of a link off the hall's domain: an error finding",
    args: [
      'lint',
      statementFile('lint-off-domain.yaml', (s) => (s.link = 'https://example.com/a.html')),
      '--hall',
      hall,
    ],
    code: 1,
    stderr: /^$/,
    stdout:
      /error {3}link: the full-text link https:\/\/example\.com\/a\.html is not on the hall's site/,
  },
  {
    name: 'lint of an empty file',
    args: ['lint', put('lint-empty.yaml', '')],
    code: 2,
    stderr: /\(root\): expected the fields of a statement .*got an empty file/,
  },
  {
    name: 'lint of a list',
    args: ['lint', put('lint-list.yaml', '- a\n- b\n')],
    code: 2,
    stderr: /\(root\): expected the fields of a statement .*got a list/,
  },
  {
    name: 'lint of a statement publish refuses (a NUL in the body): an error finding',
    args: ['lint', statementFile('lint-nul.json', (s) => (s.body = `${String(s.body)}\u0000`))],
    code: 1,
    stderr: /^$/,
    stdout: /error {3}body: holds a NUL character/,
  },
  {
    name: 'lint of an unknown kind: an error finding',
    args: ['lint', statementFile('lint-kind.yaml', (s) => (s.kind = 'press-release'))],
    code: 1,
    stderr: /^$/,
    stdout: /error {3}kind: /,
  },
];

const pastedSecretRows: Row[] = [
  {
    name: "a token pasted into an account's credentials field is refused and not printed back",
    args: validate(
      hallFile('pasted-token.yaml', (h) => {
        h.members[2]!.accounts.weibo!.credentials = '2.00PaStEdT0kEn/zZ9+w=';
      }),
    ),
    code: 2,
    stderr: /members\[2\]\.accounts\.weibo\.credentials: expected a credentials reference name/,
    then: (result) => expect(`${result.stdout}${result.stderr}`).not.toContain('PaStEdT0kEn'),
  },
  {
    name: 'an unknown adapter setting is named where it is written',
    args: validate(
      hallFile('unknown-setting.yaml', (h) => {
        (h.platforms.weibo!.settings as Record<string, unknown>).foo = 1;
      }),
    ),
    code: 2,
    stderr: /platforms\.weibo\.settings: unknown setting "foo": remove it or check the spelling/,
  },
  {
    name: 'a long secret written as a bare number in the credentials file',
    args: [
      ...dryRun(statement, hall).filter(
        (arg, index, all) => all[index - 1] !== '--credentials' && arg !== '--credentials',
      ),
      '--credentials',
      put('numeric-secret.yaml', 'weibo-haidian:\n  access_token: 12345678901234567890123\n'),
    ],
    code: 2,
    stderr:
      /weibo-haidian\.access_token: a number too long to be read exactly .*put the secret in quotes/,
    then: (result) =>
      expect(`${result.stdout}${result.stderr}`).not.toMatch(
        /1\.234567890123\d*e\+22|12345678901234567890123/,
      ),
  },
];

const accountFieldRows: Row[] = [
  {
    name: 'a misspelt WeChat account field (kinds)',
    args: validate(
      hallFile('misspelt-kind.yaml', (h) => {
        h.members[1]!.accounts.wechat!.kinds = 'service';
      }),
    ),
    code: 2,
    stderr:
      /members\[1\]\.accounts\.wechat: unknown field "kinds": remove it or check the spelling/,
  },
  {
    name: 'an extra Weibo account field (screen_name)',
    args: validate(
      hallFile('extra-field.yaml', (h) => {
        h.members[2]!.accounts.weibo!.screen_name = 'x';
      }),
    ),
    code: 2,
    stderr: /members\[2\]\.accounts\.weibo: unknown field "screen_name"/,
  },
];

const categories: readonly [string, readonly Row[]][] = [
  ['account fields', accountFieldRows],
  ['secrets pasted in the wrong place', pastedSecretRows],
  ['hall files', hallRows],
  ['statements', statementRows],
  ['credentials files', credentialRows],
  ['journals', journalRows],
  ['CLI flags', flagRows],
  ['lint', lintRows],
];

// A journal holding one sandbox rehearsal, for the rows about campaigns.
beforeAll(async () => {
  const result = await runCli(
    [
      ...sandbox(statement, hall, '--journal', journal, '--campaign-id', SANDBOX_CAMPAIGN),
      '--member',
      'haidian',
      '--platform',
      'weibo',
    ],
    baseEnv,
  );
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.code).toBe(0);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectMessage(output: string, check: RegExp | string): void {
  if (typeof check === 'string') expect(output).toContain(check);
  else expect(output).toMatch(check);
}

// One flat table, so the rows of every category share the concurrent slots.
const table = categories.flatMap(([category, rows]) =>
  rows.map((row) => [`${category}: ${row.name}`, row] as const),
);

describe('bad inputs', () => {
  it('the table holds the rows of every category', () => {
    expect(table.length).toBeGreaterThanOrEqual(80);
    expect(new Set(table.map(([name]) => name)).size).toBe(table.length);
  });

  it.concurrent.each(table)(
    '%s',
    async (_name, row) => {
      const result = await runCli(row.args, { ...baseEnv, ...row.env });
      const context = `${row.args.join(' ')}\nexit ${String(result.code)}\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`;
      expect(result.code, context).toBe(row.code);
      expectMessage(result.stderr, row.stderr);
      if (row.stdout !== undefined) expectMessage(result.stdout, row.stdout);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.stdout).not.toMatch(/\n\s+at /);
      expect(result.stderr).not.toMatch(/unexpected error/);
      for (const secret of SECRETS) {
        expect(result.stdout).not.toContain(secret);
        expect(result.stderr).not.toContain(secret);
      }
      // Refused before anything was sent: no delivery reported.
      if (row.code === 2) expect(result.stdout).not.toMatch(/\bsucceeded\b/);
      row.then?.(result);
    },
    30_000,
  );
});
