import { Aws, Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../functions/shared/service';
import type { EncryptionKey } from './encryption-key';

export interface MonitoringProps {
  readonly encryptionKey: EncryptionKey;
  /** Where alarms go. @default - a new encrypted "ops" topic */
  readonly alarmTopic?: sns.Topic;
  /** E-mail address subscribed to the alarm topic. @default - none */
  readonly alarmEmail?: string;
  /** Functions watched for errors and throttles, by name. */
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  /** Dead-letter queues watched for any message, by name. */
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  /** The events queues by lane (Urgent, Bulk, and ScopeLane when on), watched for the age of their oldest message. */
  readonly eventsQueues: Readonly<Record<'Urgent' | 'Bulk', sqs.IQueue>> & {
    readonly ScopeLane?: sqs.IQueue;
  };
  /** The bulk lane's batching window: its messages wait that long by design. */
  readonly bulkWindowSeconds: number;
  readonly apiStage: apigwv2.HttpStage;
  /** Whether the PagerDuty forwarder is deployed (its rejected events get an alarm). @default false */
  readonly pagerDuty?: boolean;
}

const FIVE_MINUTES = Duration.minutes(5);

/** The service's own metrics (Powertools adds the `service` dimension to each). */
function serviceMetric(metricName: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: SERVICE_NAME },
    statistic: cloudwatch.Stats.SUM,
    period: FIVE_MINUTES,
  });
}

/** One line per value of a dimension the functions choose at run time (status, kind). */
function byDimension(metricName: string, label: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `SEARCH('Namespace="${METRICS_NAMESPACE}" MetricName="${metricName}"', 'Sum', 300)`,
    label,
    period: FIVE_MINUTES,
  });
}

/**
 * Alarms on every async edge (dead-letter queues, function errors and throttles, queue age, API 5xx, failed
 * publishes) to an ops topic, or to the support topic when configured so; and a dashboard of events by code,
 * notifications by kind and queue age.
 */
export class Monitoring extends Construct {
  public readonly alarmTopic: sns.Topic;
  public readonly alarms: cloudwatch.Alarm[] = [];
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.alarmTopic =
      props.alarmTopic ??
      new sns.Topic(this, 'OpsTopic', {
        displayName: 'fireworks-error-triage alarms',
        masterKey: props.encryptionKey.key,
        enforceSSL: true,
      });
    if (props.alarmEmail) {
      new sns.Subscription(this, 'AlarmEmail', {
        topic: this.alarmTopic,
        protocol: sns.SubscriptionProtocol.EMAIL,
        endpoint: props.alarmEmail,
      });
    }
    this.allowCloudWatchToPublish(props.encryptionKey);

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(`${name}DeadLetters`, {
        metric: queue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 1,
        alarmDescription: `Messages in the ${name} dead-letter queue: work that failed every retry. Read one message and the function's error log to find why, fix the cause, then redrive the queue (SQS console: Start DLQ redrive); redelivery is counted once.`,
      });
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(`${name}Errors`, {
        metric: fn.metricErrors({ period: FIVE_MINUTES }),
        threshold: 1,
        alarmDescription: `The ${name} function failed. Open its log group (Logs Insights: filter level = "ERROR") for the error; failed work is retried and ends in a dead-letter queue if it keeps failing.`,
      });
      this.alarm(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: FIVE_MINUTES }),
        threshold: 1,
        alarmDescription: `The ${name} function was throttled: the account's Lambda concurrency is exhausted or its reserved concurrency is too low. Check the account's ConcurrentExecutions metric and raise the quota or the function's concurrency.`,
      });
    }
    this.alarm('UrgentEventsQueueAge', {
      metric: props.eventsQueues.Urgent.metricApproximateAgeOfOldestMessage({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: 60,
      alarmDescription:
        'Urgent events (500s) wait more than a minute for triage: pages are late. Check the triage function for errors or throttles (its own alarms) and the urgent queue in the dashboard.',
    });
    this.alarm('BulkEventsQueueAge', {
      metric: props.eventsQueues.Bulk.metricApproximateAgeOfOldestMessage({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      threshold: 300 + props.bulkWindowSeconds,
      alarmDescription:
        'Events wait more than 5 minutes beyond the batching window for triage: notifications are late. Check the triage function for errors or throttles; under a storm consider a higher bulkBatch.maxConcurrency (docs/config.md).',
    });
    if (props.eventsQueues.ScopeLane) {
      this.alarm('ScopeLaneQueueAge', {
        metric: props.eventsQueues.ScopeLane.metricApproximateAgeOfOldestMessage({
          statistic: 'Maximum',
          period: FIVE_MINUTES,
        }),
        threshold: 300,
        alarmDescription:
          'Parts on the scope lane wait more than 5 minutes to be applied: notifications are late. Check the triage function for errors or throttles; if one scope takes most of a storm, raise the triage memory (its writer is one invocation at a time), else scopeLane.maxConcurrency (docs/scaling.md).',
      });
    }
    this.alarm('ApiServerErrors', {
      metric: props.apiStage.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }),
      threshold: 1,
      alarmDescription:
        'The API answered 5xx: callers may have dropped error events (a 500 means the queue refused them, a 503 that tokens could not be checked). Check the ingest function log and the state table / queue health.',
    });
    this.alarm('PublishFailures', {
      metric: serviceMetric('PublishFailures'),
      threshold: 1,
      alarmDescription:
        'Notifications failed to publish to SNS; the sweep retries them from the outbox every minute. If it persists, check the topic key policy and SNS health.',
    });
    this.alarm('NotificationsRejected', {
      metric: serviceMetric('NotificationsRejected'),
      threshold: 1,
      alarmDescription:
        'SNS rejected a notification as invalid and it was dropped: look at the triage/sweep error logs.',
    });
    this.alarm('SweepFailures', {
      metric: serviceMetric('SweepFailures'),
      threshold: 1,
      alarmDescription:
        'The sweep could not process a scope: digests, reminders, resolves or outbox retries are late. Its error log names the scope and the error; the next run (every minute) tries again.',
    });
    this.alarm('InvalidQueueMessages', {
      metric: serviceMetric('InvalidQueueMessages'),
      threshold: 1,
      alarmDescription:
        'A message on the events queue did not parse and goes to the dead-letter queue. The triage error log names the field; this points at a producer writing to the queue directly, or a version mismatch between functions.',
    });

    if (props.pagerDuty) {
      this.alarm('PagerDutyRejected', {
        metric: serviceMetric('PagerDutyRejected'),
        threshold: 1,
        alarmDescription:
          'PagerDuty refused an event (400) or the forwarder got a message that is not a notification: it is in the PagerDuty dead-letter queue with the reason as a message attribute, and the page did not happen. Check the forwarder error log; a 400 usually means a bad routing key or an event PagerDuty finds invalid.',
      });
    }

    const lanes = {
      urgent: props.eventsQueues.Urgent,
      bulk: props.eventsQueues.Bulk,
      scope: props.eventsQueues.ScopeLane,
    };
    const queueAge = Object.entries(lanes).flatMap(([lane, queue]) =>
      queue
        ? [
            queue.metricApproximateAgeOfOldestMessage({
              statistic: 'Maximum',
              period: Duration.minutes(1),
              label: `${lane} lane: oldest message (s)`,
            }),
          ]
        : [],
    );
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Events triaged by status code',
            left: [byDimension('EventsTriaged', '')],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Notifications published by kind',
            left: [byDimension('NotificationsPublished', '')],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Events accepted, publish failures',
            left: [serviceMetric('EventsAccepted')],
            right: [serviceMetric('PublishFailures')],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Events queue age', left: queueAge, width: 8 }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 8 }),
        ],
      ],
    });
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'evaluationPeriods'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...props,
    });
    // OK too: whoever heard the alarm hears that the problem cleared.
    const action = new actions.SnsAction(this.alarmTopic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }

  /**
   * The TLS-only topic policy replaces SNS's default one, and the topic key is customer-managed: CloudWatch
   * needs both a topic-policy and a key-policy statement to deliver alarms (scoped to this account).
   */
  private allowCloudWatchToPublish(key: EncryptionKey): void {
    const cloudWatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.alarmTopic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarms',
        principals: [cloudWatch],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    key.allowService('AllowCloudWatchAlarms', 'cloudwatch.amazonaws.com', [
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    ]);
  }
}
