/**
 * release-hall: fan one statement out across a release hall of government accounts.
 *
 * Named exports only, so the public surface changes on purpose (a test snapshots this list).
 * Adapter authors find their helpers in `release-hall/adapter-kit`; the durable journal is in
 * `release-hall/journal/sqlite`, so importing this module loads no native code.
 * @packageDocumentation
 */

// Publishing
export { createPublisher } from './publisher/create-publisher.js';
export { listCampaigns, readCampaignStatus } from './publisher/status.js';
export type { CampaignSummary } from './publisher/status.js';
export type {
  CampaignOptions,
  CampaignStatus,
  Preview,
  Publisher,
  PublisherOptions,
  ResumeOptions,
  RetractReport,
  RetractResultLine,
} from './publisher/create-publisher.js';
export type {
  CampaignReport,
  DeliveryAction,
  DeliveryResult,
  DeliveryStatus,
  PlannedDelivery,
  ReportCounts,
} from './run/types.js';
export type {
  RetryOptions,
  RetryOptionsInput,
  RunOptions,
  RunOptionsInput,
} from './run/options.js';

// The adapter contract
export {
  ADAPTER_SPECIFICATION_VERSION,
  PUSH_ID_NOTE,
  PUSH_REPEAT_WINDOW_MS,
  REACH_COUNTS,
} from './adapter.js';
export type {
  AccountReadiness,
  Adapter,
  AdapterLimits,
  ArticleProfile,
  ArticleRendition,
  CheckContext,
  Credentials,
  DeliveryContext,
  DeliveryDescriptor,
  FindExistingResult,
  FindInboxReplyResult,
  InboxAuthor,
  InboxContext,
  InboxCursor,
  InboxItem,
  InboxKind,
  InboxRead,
  InboxReplyContext,
  InboxReplyResult,
  InboxRequest,
  PostReach,
  AccountActivity,
  ActivityContext,
  ReachCount,
  PostRef,
  PublishResult,
  PushQuota,
  PushRecord,
  PushResult,
  RateLimits,
  ReadinessAspect,
  ReadinessFinding,
  ReadinessStatus,
  PostFacts,
  ReachContext,
  Rendition,
  RetractResult,
  TextProfile,
  TextRendition,
} from './adapter.js';

// Errors, events, logging, redaction
export { ERROR_CODES, ERROR_GUIDE, ReleaseHallError } from './errors.js';
export type { ErrorCode, InputIssue, ReleaseHallErrorOptions } from './errors.js';
export type {
  CampaignFinishedEvent,
  DeadlineMissedEvent,
  CampaignPlannedEvent,
  CampaignProgressEvent,
  DeliveryFinishedEvent,
  DeliveryRetryingEvent,
  DeliveryStartedEvent,
  LogEvent,
  PublisherEvents,
} from './events.js';
export { createRedactingLogger, silentLogger } from './logger.js';
export type { LogFields, LogSink, Logger } from './logger.js';
export { Redactor } from './redact.js';

// Halls, statements, credentials
export { DEFAULT_REPLY_DEADLINE_HOURS, accountId, hallSchema } from './model/hall.js';
export type {
  Account,
  ApprovalsSettings,
  CheckSettings,
  InboxSettings,
  Deadlines,
  Hall,
  HallInput,
  LimitsOverride,
  Member,
  PlatformSettings,
} from './model/hall.js';
export {
  approvalDigest,
  approvalFileOf,
  approveStatement,
  canonicalJson,
  generateApproverKey,
  readApprovalFile,
  readPrivateKey,
  readPublicKey,
  verifyApprovals,
  withApproval,
} from './gate/approvals.js';
export type {
  Approval,
  ApprovalFile,
  ApprovalSubject,
  ApprovalVerdict,
  ApprovedDelivery,
  Approver,
} from './gate/approvals.js';
export { approvalRule, hallApprovers } from './gate/policy.js';
export { formatClocks, responseClocks } from './gate/clocks.js';
export type { AccountClock, ClockState, ClockedDelivery, ResponseClocks } from './gate/clocks.js';
export type { ApprovalRule } from './gate/policy.js';
export type { GateRecord, PublishGate } from './gate/gate-record.js';
export { describeGate } from './publisher/gate.js';
export { formatReview, reviewState } from './gate/review.js';
export type { ReviewState } from './gate/review.js';
export { selectionSchema, statementSchema } from './model/statement.js';
export type { Selection, Statement, StatementInput } from './model/statement.js';
export {
  loadHallFile,
  loadStatementFile,
  parseDataText,
  parseStatement,
  readDataFile,
  resolveHall,
} from './model/load.js';
export type { ResolvedHall } from './model/load.js';
export {
  createCredentialsResolver,
  credentialsEnvName,
  envCredentials,
  fileCredentials,
  readCredentialsFile,
} from './credentials.js';
export type {
  CredentialsFileOptions,
  CredentialsRequest,
  CredentialsResolver,
  CredentialsSource,
} from './credentials.js';

// The journal (the durable one: `release-hall/journal/sqlite`)
export { FINAL_STATES, MemoryJournal } from './journal/journal.js';
export type {
  AuditEntry,
  CampaignRecord,
  DeliveryRecord,
  DeliveryState,
  DeliveryTransition,
  Journal,
  JournalDelivery,
  PauseState,
  PostOwner,
} from './journal/journal.js';
export {
  AUDIT_GENESIS_HASH,
  chainAuditEntry,
  hashAuditEntry,
  verifyAuditChain,
} from './journal/audit-chain.js';
export type {
  AuditChainVerdict,
  AuditHead,
  AuditProblem,
  AuditProblemKind,
  ChainedAuditEntry,
  VerifyAuditChainOptions,
} from './journal/audit-chain.js';

// Reach: the counts of a campaign's posts, read into the journal
export { hasReach } from './journal/reach.js';
export type { JournalReach, ReachReading } from './journal/reach.js';
export { collectReach, reachTotals } from './metrics/collect.js';
export { REACH_CSV_COLUMNS, csvField, reachCsv, reachTable } from './metrics/render-reach.js';
export type {
  CollectReachOptions,
  ReachAccountResult,
  ReachAccountStatus,
  ReachCollection,
  ReachTotals,
} from './metrics/collect.js';

// The inbox: comments and mentions read into the journal
export { hasInbox } from './journal/inbox.js';
export type { InboxEntry, InboxFilter, JournalInbox, StoredInboxItem } from './journal/inbox.js';
export { INBOX_SYNC_MAX_PAGES, syncInbox } from './inbox/sync.js';
export type {
  InboxSyncAccountResult,
  InboxSyncStatus,
  InboxSyncSummary,
  SyncInboxOptions,
} from './inbox/sync.js';
export { hasReplies, replyKey } from './journal/replies.js';
export type {
  JournalReplies,
  ReplyChange,
  ReplyFilter,
  ReplyRecord,
  ReplyState,
} from './journal/replies.js';
export { REPLY_SENDING_LEASE_MS, lintReply, replyToItem } from './inbox/reply.js';
export { collectOnSchedule, parseReadingOffsets, scheduleReadings } from './metrics/schedule.js';
export type {
  CollectOnScheduleOptions,
  ScheduleResult,
  ScheduledReading,
} from './metrics/schedule.js';
export {
  SCORECARD_CSV_COLUMNS,
  computeScorecard,
  readScorecard,
  readScorecardInput,
  scorecardCsv,
  scorecardTable,
} from './scorecard/index.js';
export type {
  AccountScore,
  ActivityRead,
  CampaignSelection,
  MemberScore,
  MissedCampaign,
  ReadScorecardOptions,
  Scorecard,
  ScorecardCampaign,
  ScorecardInput,
  ScorecardMemberInput,
} from './scorecard/index.js';
export { REPORT_PAGE_POLICY, renderMetricsPage, renderScorecardPage } from './report/index.js';
export type { MetricsPageInput, ScorecardPageOptions } from './report/index.js';
export { assignItem } from './inbox/assign.js';
export type { AssignItemOptions, AssignItemResult } from './inbox/assign.js';
export type {
  ReplyOutcome,
  ReplyToItemOptions,
  ReplyToItemResult,
  ReplyWarning,
} from './inbox/reply.js';
export { DEFAULT_REPLY_DEADLINE_MS, inboxItemAges } from './inbox/ages.js';
export type { InboxItemAge } from './inbox/ages.js';

// Render, plan, lint, preview (pure steps)
export { planCampaign, pushDecision, selectAccounts } from './plan/plan-campaign.js';
export type { Plan, PlanEntry, PlanInput, PushPlan } from './plan/plan-campaign.js';
export { renderStatement } from './render/render-statement.js';
export type { RenderStatementOptions } from './render/render-statement.js';
export { memberPrefix, renderText } from './render/render-text.js';
export type { RenderTextOptions } from './render/render-text.js';
export { renderArticle } from './render/render-article.js';
export type { RenderArticleOptions } from './render/render-article.js';
export { HALL_TIME_ZONE, formatStatementTime } from './render/format-time.js';
export type { TimeStyle } from './render/format-time.js';
export {
  fitsArticleProfile,
  fitsProfile,
  measureArticle,
  measureRendition,
  measureText,
} from './render/fit-profile.js';
export type { ArticleMeasure, Measure, RenditionMeasure } from './render/fit-profile.js';
export { applyTemplate, renderFullText } from './render/templates.js';
export type { StatementDocument, TemplateOptions, TemplatePart } from './render/templates.js';
export { buildPreview, formatPreviewTable } from './render/preview.js';
export { renderPreviewPage } from './render/preview-page.js';
export type {
  PreviewApproval,
  PreviewPageInput,
  PreviewPageOptions,
} from './render/preview-page.js';
export type {
  AccountPreview,
  ArticlePreview,
  PreviewDelivery,
  PreviewInput,
  PreviewTableOptions,
  PreviewTotals,
  RenditionPreview,
} from './render/preview.js';
export { DEFAULT_DISCOURAGED_PHRASES } from './lint/discouraged-phrases.js';
export type {
  DiscouragedEntry,
  DiscouragedPhrase,
  DiscouragedSeverity,
} from './lint/discouraged-phrases.js';
export { lintStatement } from './lint/lint-statement.js';
export type { LintOptions } from './lint/lint-statement.js';
export { LINT_RULES } from './lint/lint-types.js';
export { CONFIGURABLE_LINT_RULES, lintSettingsSchema } from './lint/lint-settings.js';
export type { LintSettings, LintSettingsInput } from './lint/lint-settings.js';
export type {
  LintFinding,
  LintRendition,
  LintResult,
  LintRule,
  LintSeverity,
} from './lint/lint-types.js';

// Emergency templates
export {
  EMERGENCY_FIELD_TYPES,
  fillEmergencyTemplate,
  listEmergencyTemplates,
  loadEmergencyTemplate,
  parseEmergencyTemplate,
  readEmergencyTemplate,
} from './emergency/index.js';
export type {
  EmergencyTemplate,
  EmergencyFieldType,
  FillEmergencyTemplateOptions,
  EmergencyTemplateField,
  EmergencyTemplateSearchOptions,
  EmergencyTemplateValues,
} from './emergency/index.js';

// Terminal output
export { formatPreview, formatReport, showProgress } from './cli/report.js';
