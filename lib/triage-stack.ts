import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { HISTORY_PARTITION, SILENCE_PARTITION } from '../functions/shared/table-layout';
import { ChatChannels } from './chat-channels';
import { ChatRelay } from './chat-relay';
import type { FunctionName, TriageConfig } from './config';
import { EncryptionKey } from './encryption-key';
import { EventPipeline } from './event-pipeline';
import { IngestApi } from './ingest-api';
import { LogSubscriptions } from './log-subscriptions';
import { Monitoring } from './monitoring';
import { NotificationTopics } from './notification-topics';
import { PagerDutyForwarder } from './pagerduty-forwarder';
import { StateTable } from './state-table';
import { SweepSchedule } from './sweep-schedule';
import { TriageFunction } from './triage-function';

export interface TriageStackProps extends StackProps {
  /** The validated deployment configuration (lib/config.ts). */
  readonly config: TriageConfig;
}

/** Timeouts: the sweep must finish before the next minute's run; triage sets the queue's visibility timeout. */
const TIMEOUTS: Readonly<Record<FunctionName, Duration>> = {
  ingest: Duration.seconds(10),
  codes: Duration.seconds(5),
  triage: Duration.seconds(30),
  sweep: Duration.seconds(55),
  logs: Duration.seconds(30),
  oncall: Duration.seconds(10),
};

const DESCRIPTIONS: Readonly<Record<FunctionName, string>> = {
  ingest: 'POST /v1/events: authenticate, validate, normalise and queue error events',
  codes: 'GET /v1/codes: the documented Fireworks error catalog',
  triage: 'Classify queued events, apply the escalation policy, publish notifications',
  sweep: 'Every minute: digests, reminders, resolves and publish retries of due scopes',
  logs: 'Extract Fireworks error events from subscribed CloudWatch log groups',
  oncall:
    'On-call API: GET /v1/incidents, POST /v1/incidents/{subjectId}/ack, silences (GET/POST /v1/silences, GET/DELETE /v1/silences/{id})',
};

/** Fireworks error triage (docs/design.md, "Architecture"): every resource, wired with least privilege, plus the fixed outputs. */
export class TriageStack extends Stack {
  public readonly functions: Readonly<Record<FunctionName, TriageFunction>>;

  constructor(scope: Construct, id: string, props: TriageStackProps) {
    super(scope, id, props);
    const { config } = props;
    const encryption = new EncryptionKey(this, 'Encryption');
    const key = encryption.key;

    const makeFunction = (name: FunctionName, environment: Record<string, string> = {}) =>
      new TriageFunction(this, `${name[0]?.toUpperCase()}${name.slice(1)}Function`, {
        name,
        description: DESCRIPTIONS[name],
        memorySize: config.memorySize[name],
        timeout: TIMEOUTS[name],
        logRetentionDays: config.logRetentionDays,
        encryptionKey: key,
        environment,
      });
    const policyConfig = JSON.stringify(config.policy);
    const runbooks = JSON.stringify(config.runbooks);
    const functions = {
      ingest: makeFunction('ingest', {
        TOKEN_CACHE_SECONDS: String(config.tokenCacheSeconds),
        // 500s of an incident already open take the bulk lane (functions/adapters/open-incidents.ts).
        INCIDENT_QUIET_SECONDS: String(config.policy.incidents.resolveAfterQuietSeconds),
      }),
      codes: makeFunction('codes'),
      oncall: makeFunction('oncall', {
        POLICY_CONFIG: policyConfig,
        RUNBOOKS: runbooks,
        TOKEN_CACHE_SECONDS: String(config.tokenCacheSeconds),
        MAX_SILENCE_SECONDS: String(config.maxSilenceSeconds),
      }),
      triage: makeFunction('triage', { POLICY_CONFIG: policyConfig, RUNBOOKS: runbooks }),
      sweep: makeFunction('sweep', { POLICY_CONFIG: policyConfig, RUNBOOKS: runbooks }),
      logs: makeFunction('logs', {
        LOG_COUNT: config.logCount,
        // Only the log groups that count otherwise than LOG_COUNT: the variable stays small.
        LOG_GROUP_COUNT: JSON.stringify(
          Object.fromEntries(
            config.logGroups.filter((group) => group.count !== config.logCount).map((g) => [g.name, g.count]),
          ),
        ),
      }),
    };
    this.functions = functions;

    const state = new StateTable(this, 'State', { encryptionKey: key });
    // GetItem: tokens; BatchGetItem: whether a 500's incident is already open (read-only).
    state.bindItems(functions.ingest, ['dynamodb:GetItem', 'dynamodb:BatchGetItem']);
    // BatchWriteItem: the settled-batch markers.
    state.bindItems(functions.triage, [
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:BatchWriteItem',
    ]);
    state.bindItems(functions.sweep, ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:PutItem']);
    state.bindDueQuery(functions.sweep);
    // GetItem: tokens; the due index and BatchGetItem: open incidents; the history partition: resolved ones.
    state.bindItems(functions.oncall, ['dynamodb:GetItem', 'dynamodb:BatchGetItem']);
    state.bindDueQuery(functions.oncall);
    state.bindPartition(functions.oncall, HISTORY_PARTITION, ['dynamodb:Query']);
    // Silences: created and expired (PutItem, conditional), read one by one and listed.
    state.bindPartition(functions.oncall, SILENCE_PARTITION, ['dynamodb:PutItem', 'dynamodb:Query']);
    // The triage and sweep functions add the run-time silences to the config's.
    // Acknowledgements: one conditional PutItem on the acknowledged scope (incident and account-issue records only).
    state.bindPartition(functions.oncall, ['incident#*', 'account#*'], ['dynamodb:PutItem']);
    state.bindPartition(functions.triage, SILENCE_PARTITION, ['dynamodb:Query']);
    state.bindPartition(functions.sweep, SILENCE_PARTITION, ['dynamodb:Query']);

    const topics = new NotificationTopics(this, 'Notifications', {
      encryptionKey: key,
      supportSubscriptions: config.supportSubscriptions,
      billingOwners: config.billingOwners,
    });
    topics.bindPublisher(functions.triage);
    topics.bindPublisher(functions.sweep);
    // `*.acknowledged` notices.
    topics.bindPublisher(functions.oncall);

    const pipeline = new EventPipeline(this, 'Events', {
      encryptionKey: key,
      consumer: functions.triage,
      urgent: config.urgentBatch,
      bulk: config.bulkBatch,
      urgentStatuses: config.policy.incidents.immediateStatuses,
      scopeLane: config.scopeLane,
    });
    pipeline.bindProducer(functions.ingest);
    pipeline.bindProducer(functions.logs);

    const schedule = new SweepSchedule(this, 'Sweep', { sweep: functions.sweep, encryptionKey: encryption });

    const logSubscriptions = new LogSubscriptions(this, 'LogSubscriptions', {
      logGroupNames: config.logGroups.map((group) => group.name),
      filterPattern: config.logFilterPattern,
      destination: functions.logs,
      encryptionKey: key,
    });

    const api = new IngestApi(this, 'Api', {
      ingest: functions.ingest,
      codes: functions.codes,
      oncall: functions.oncall,
      throttling: config.throttling,
      logRetentionDays: config.logRetentionDays,
      encryptionKey: key,
    });

    const topicsByName = { support: topics.supportEscalations, account: topics.accountIssues };
    const filteredChannels = [...config.chat.slack, ...config.chat.teams].flatMap((channel) =>
      channel.filterPolicy ? [{ ...channel, filterPolicy: channel.filterPolicy }] : [],
    );
    const chatRelay =
      filteredChannels.length > 0
        ? new ChatRelay(this, 'ChatRelay', {
            channels: filteredChannels,
            topics: topicsByName,
            encryption,
            table: state,
            logRetentionDays: config.logRetentionDays,
          })
        : undefined;
    if (config.chat.slack.length + config.chat.teams.length > 0) {
      new ChatChannels(this, 'Chat', {
        channels: config.chat,
        topics: topicsByName,
        ...(chatRelay ? { channelTopics: chatRelay.channelTopics } : {}),
      });
    }
    const pagerDuty = config.pagerDuty
      ? new PagerDutyForwarder(this, 'PagerDuty', {
          config: config.pagerDuty,
          topics: topicsByName,
          table: state,
          encryption,
          logRetentionDays: config.logRetentionDays,
        })
      : undefined;

    new Monitoring(this, 'Monitoring', {
      encryptionKey: encryption,
      alarmTopic: config.alarmTopic === 'support' ? topics.supportEscalations : undefined,
      alarmEmail: config.alarmEmail,
      functions: {
        ...functions,
        ...(pagerDuty ? { pagerduty: pagerDuty.function } : {}),
        ...(chatRelay ? { chatRelay: chatRelay.function } : {}),
      },
      deadLetterQueues: {
        Events: pipeline.deadLetterQueue,
        Sweep: schedule.deadLetterQueue,
        Logs: logSubscriptions.deadLetterQueue,
        ...(pagerDuty ? { PagerDuty: pagerDuty.deadLetterQueue } : {}),
        ...(chatRelay ? { ChatRelay: chatRelay.deadLetterQueue } : {}),
        ...(pipeline.scopeLane ? { ScopeLane: pipeline.scopeLane.deadLetterQueue } : {}),
      },
      pagerDuty: pagerDuty !== undefined,
      eventsQueues: {
        Urgent: pipeline.urgentQueue,
        Bulk: pipeline.queue,
        ...(pipeline.scopeLane ? { ScopeLane: pipeline.scopeLane.queue } : {}),
      },
      bulkWindowSeconds: config.bulkBatch.maxBatchingWindowSeconds,
      apiStage: api.stage,
    });

    // Names fixed by the contracts: the CLI reads them from `cdk deploy --outputs-file`.
    new CfnOutput(this, 'WebhookUrl', { value: `${api.url}v1/events` });
    new CfnOutput(this, 'CodesUrl', { value: `${api.url}v1/codes` });
    new CfnOutput(this, 'IncidentsUrl', { value: `${api.url}v1/incidents` });
    new CfnOutput(this, 'SupportEscalationsTopicArn', { value: topics.supportEscalations.topicArn });
    new CfnOutput(this, 'AccountIssuesTopicArn', { value: topics.accountIssues.topicArn });
    new CfnOutput(this, 'StateTableName', { value: state.table.tableName });
    new CfnOutput(this, 'EventsQueueUrl', { value: pipeline.queue.queueUrl });
    new CfnOutput(this, 'UrgentEventsQueueUrl', { value: pipeline.urgentQueue.queueUrl });
    new CfnOutput(this, 'Region', { value: Aws.REGION });
  }
}
