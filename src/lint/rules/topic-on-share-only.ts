/**
 * `topic-on-share-only`: `#topic#` in the text for a platform that refuses topics (Weibo's share
 * call; error), `topics` that will be left out there (warning), and a topic a rendition adds
 * (error) when the statement's own text has none.
 */
import { limitsFor, platformsOf } from '../../render/fit-profile.js';
import type { LintFinding } from '../lint-types.js';
import {
  type LintContext,
  type StatementRule,
  type WrittenStatement,
  finding,
} from './lint-context.js';

const TOPIC_PATTERN = /#[^#\s]+#/u;

/** Topics in the statement's text and `topics`, where some platform refuses them. */
function statementTopics(
  statement: WrittenStatement,
  context: LintContext,
  noTopics: readonly string[],
): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const field of context.fields) {
    const topic = TOPIC_PATTERN.exec(field.text)?.[0];
    if (topic === undefined) continue;
    findings.push(
      finding(
        'error',
        'topic-on-share-only',
        field.path,
        `${field.path} holds the topic ${topic}, which ${noTopics.join(', ')} refuse${noTopics.length === 1 ? 's' : ''} (share-only accounts)`,
        'remove the # marks from the text; put topics in `topics:` so they are added only where allowed',
        undefined,
        topic,
      ),
    );
  }
  if (statement.topics.length > 0) {
    findings.push(
      finding(
        'warning',
        'topic-on-share-only',
        'topics',
        `the topics ${statement.topics.map((topic) => `#${topic}#`).join('')} are left out on ${noTopics.join(', ')}, which refuse topics`,
        'nothing to do if that is expected; post through Weibo update mode to keep topics',
      ),
    );
  }
  return findings;
}

/** Topics a rendition carries (from a prefix or sign-off) on an account that refuses them. */
function renditionTopics(context: LintContext): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const entry of context.renditions) {
    if (entry.rendition.format !== 'text') continue;
    if (limitsFor(context.profiles, entry.platform)?.text.allowsTopics !== false) continue;
    const topic = TOPIC_PATTERN.exec(entry.rendition.text)?.[0];
    if (topic === undefined) continue;
    findings.push(
      finding(
        'error',
        'topic-on-share-only',
        `renditions[${entry.accountId}].text`,
        `the rendition of ${entry.accountId} holds the topic ${topic}, which ${entry.platform} refuses on this account`,
        "remove the # marks from the member's prefix or signOff",
        entry.accountId,
        topic,
      ),
    );
  }
  return findings;
}

export const topicOnShareOnly: StatementRule = (statement, context) => {
  const noTopics = platformsOf(context.profiles).filter(
    (platform) => limitsFor(context.profiles, platform)?.text.allowsTopics === false,
  );
  if (noTopics.length === 0) return renditionTopics(context);
  const inStatement = statementTopics(statement, context, noTopics);
  // A topic written in the statement's text is reported there, not again for every rendition.
  const inlineTopic = context.fields.some((field) => TOPIC_PATTERN.test(field.text));
  return inlineTopic ? inStatement : [...inStatement, ...renditionTopics(context)];
};
