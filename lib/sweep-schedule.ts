import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue';
import type { EncryptionKey } from './encryption-key';

export interface SweepScheduleProps {
  /** The sweep function (digests, reminders, resolves, outbox retries). */
  readonly sweep: lambda.IFunction;
  readonly encryptionKey: EncryptionKey;
}

/**
 * Runs the sweep every minute (docs/design.md, "Architecture"). An invocation EventBridge cannot deliver is retried twice within
 * a minute, then lands in an encrypted dead-letter queue; after that the next run does the same work.
 */
export class SweepSchedule extends Construct {
  public readonly rule: events.Rule;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(
      this,
      'DeadLetterQueue',
      props.encryptionKey.key,
      'the sweep schedule target',
    );
    // EventBridge writes to the encrypted DLQ with the key, so the key policy must let it.
    props.encryptionKey.allowService('AllowEventBridgeDeadLetters', 'events.amazonaws.com', [
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ]);
    // The target's retry policy covers delivery to Lambda; a sweep that fails inside the function is not
    // retried by Lambda either (the next minute's run does the same work; the Errors alarm reports it).
    props.sweep.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.rule = new events.Rule(this, 'EveryMinute', {
      description: 'fireworks-error-triage: sweep due scopes (digests, reminders, resolves, retries)',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new targets.LambdaFunction(props.sweep, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 2,
          // The next scheduled run supersedes an older one; no point retrying past a minute.
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
  }
}
