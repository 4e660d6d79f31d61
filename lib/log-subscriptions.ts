import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import { Construct } from 'constructs';

export interface LogSubscriptionsProps {
  /** Names of existing log groups (apps calling Fireworks) to subscribe. */
  readonly logGroupNames: readonly string[];
  /** CloudWatch Logs filter pattern; only matching lines reach the function. */
  readonly filterPattern: string;
  /** The logs function, which extracts error events from the lines. */
  readonly destination: lambda.IFunction;
}

/**
 * One subscription filter per configured log group, to the logs function (DESIGN §3). The log groups are
 * not owned by this stack; a log group accepts at most two subscription filters.
 */
export class LogSubscriptions extends Construct {
  public readonly filters: readonly logs.SubscriptionFilter[];

  constructor(scope: Construct, id: string, props: LogSubscriptionsProps) {
    super(scope, id);
    const destination = new destinations.LambdaDestination(props.destination);
    this.filters = props.logGroupNames.map((name) => {
      // The name keeps the construct id (and so the logical id) stable when the list is reordered.
      const key = encodeURIComponent(name);
      return new logs.SubscriptionFilter(this, `Filter${key}`, {
        logGroup: logs.LogGroup.fromLogGroupName(this, `Source${key}`, name),
        destination,
        filterPattern: logs.FilterPattern.literal(props.filterPattern),
      });
    });
  }
}
