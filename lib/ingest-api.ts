import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ThrottlingConfig } from './config';

export interface IngestApiProps {
  /** Handles `/v1/events` (every method: it answers 405 itself, with the service's JSON error body). */
  readonly ingest: lambda.IFunction;
  /** Handles `GET /v1/codes`. */
  readonly codes: lambda.IFunction;
  /** Handles the on-call routes (every method: it answers 405 itself). */
  readonly oncall: lambda.IFunction;
  readonly throttling: ThrottlingConfig;
  readonly logRetentionDays: number;
  readonly encryptionKey: kms.IKey;
}

/** What API Gateway records per request: enough to trace a call, never a header (no tokens in logs). */
const ACCESS_LOG_FORMAT = apigw.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/**
 * The public HTTP API (docs/design.md, "Data flow"): `POST /v1/events` to the ingest function, `GET /v1/codes` to the codes
 * function, `/v1/incidents` and `/v1/silences[/{id}]` to the on-call function, one `$default` stage with throttling and JSON access logs in an encrypted log group.
 */
export class IngestApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'fireworks-error-triage: error events in, documented error codes out',
      // The default stage cannot take throttling or access logs; the stage below replaces it.
      createDefaultStage: false,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
    });
    this.stage = new apigwv2.HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.throttling.rateLimit, burstLimit: props.throttling.burstLimit },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: ACCESS_LOG_FORMAT,
      },
    });
    const eventsRoutes = this.api.addRoutes({
      path: '/v1/events',
      methods: [apigwv2.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('Ingest', props.ingest),
    });
    const codesRoutes = this.api.addRoutes({
      path: '/v1/codes',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Codes', props.codes),
    });
    const oncall = new HttpLambdaIntegration('OnCall', props.oncall);
    const oncallRoutes = [
      '/v1/incidents',
      '/v1/incidents/{subjectId}/ack',
      '/v1/silences',
      '/v1/silences/{id}',
    ].flatMap((path) => this.api.addRoutes({ path, methods: [apigwv2.HttpMethod.ANY], integration: oncall }));
    for (const route of [...eventsRoutes, ...oncallRoutes]) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason:
          'The ingest and on-call functions authenticate every request themselves (with its scope): Bearer tokens checked, in constant time, against ' +
          'the SHA-256 hashes in the state table (docs/design.md, "Data flow"), which also works on the local stack; an API ' +
          'Gateway authorizer would duplicate that lookup per request.',
      });
    }
    for (const route of codesRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions::AwsSolutions-APIG4',
        reason: 'GET /v1/codes serves the public, documented Fireworks error table; it reads no state.',
      });
    }
  }

  /** Base URL of the stage, ending in '/'. */
  public get url(): string {
    return this.stage.url;
  }
}
