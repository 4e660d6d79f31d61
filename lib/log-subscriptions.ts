import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';

export interface LogSubscriptionsProps {
  /** Names of existing log groups (apps calling Fireworks) to subscribe. */
  readonly logGroupNames: readonly string[];
  /** CloudWatch Logs filter pattern; only matching lines reach the function ('' = every line). */
  readonly filterPattern: string;
  /** The logs function, which extracts error events from the lines. */
  readonly destination: lambda.IFunction;
  /** Encrypts the dead-letter queue of payloads the logs function could not process. */
  readonly encryptionKey: kms.IKey;
}

/**
 * One subscription filter per configured log group, to the logs function (docs/design.md, "Data flow"). The log groups are
 * not owned by this stack; a log group accepts at most two subscription filters.
 */
export class LogSubscriptions extends Construct {
  public readonly filters: readonly logs.SubscriptionFilter[];
  /** Payloads the logs function failed on (e.g. the events queue was unreachable) after Lambda's retries. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: LogSubscriptionsProps) {
    super(scope, id);
    // CloudWatch Logs invokes the function asynchronously: a failed payload is retried twice by Lambda,
    // then kept (with the payload) in this queue rather than dropped.
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', props.encryptionKey, 'the logs function');
    const dlq = this.deadLetterQueue;
    props.destination.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      // Not lambda-destinations' SqsDestination: its grant adds wildcard KMS actions; this one is exact.
      onFailure: {
        bind: (_scope, fn) => {
          dlq.grants.actions(fn, ['sqs:SendMessage'], { keyActions: ['kms:GenerateDataKey', 'kms:Decrypt'] });
          return { destination: dlq.queueArn };
        },
      },
    });
    const destination = new destinations.LambdaDestination(props.destination);
    this.filters = props.logGroupNames.map((name) => {
      // The name keeps the construct id (and so the logical id) stable when the list is reordered.
      const key = encodeURIComponent(name);
      return new logs.SubscriptionFilter(this, `Filter${key}`, {
        logGroup: logs.LogGroup.fromLogGroupName(this, `Source${key}`, name),
        destination,
        filterPattern:
          props.filterPattern === ''
            ? logs.FilterPattern.allEvents()
            : logs.FilterPattern.literal(props.filterPattern),
      });
    });
  }
}
