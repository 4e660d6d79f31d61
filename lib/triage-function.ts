import * as path from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../functions/shared/service';
import type { FunctionName } from './config';

/** Repository root: entries, the lock file and esbuild resolve from here whatever the working directory. */
const ROOT = path.resolve(__dirname, '..');

export interface TriageFunctionProps {
  /** Which handler: the entry is `functions/<name>/handler.ts`, export `handler`. */
  readonly name: FunctionName | 'pagerduty' | 'chat-relay';
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  /** Retention of the function's own log group. */
  readonly logRetentionDays: number;
  /** Encrypts the function's log group. */
  readonly encryptionKey: kms.IKey;
  /** Function-specific environment (the common Powertools variables are always set). */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * A service handler as a Lambda function: Node.js 24 on arm64, esbuild-bundled (minified, source maps),
 * its own encrypted log group with retention, and a role that may write to that log group only
 * (instead of AWSLambdaBasicExecutionRole, which allows every log group of the account).
 */
export class TriageFunction extends nodejs.NodejsFunction {
  public readonly functionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: TriageFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.encryptionKey,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${SERVICE_NAME} ${props.name} function`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      description: props.description,
      entry: path.join(ROOT, 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: BUNDLING,
    });
    this.functionLogGroup = logGroup;
  }
}

/**
 * esbuild settings shared by every function. The AWS SDK is bundled (`externalModules: []`): the SDK that
 * runs on Lambda is then the lock file's, the one every test ran, instead of whatever the nodejs24.x runtime
 * carries in that region that week (Lambda no longer documents it). Measured (docs/design.md, "The AWS SDK
 * the functions run"): 400–490 KB per SDK function instead of 100–125 KB, cold import the same within noise.
 * A test checks that nothing is left external.
 */
const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  // Stack traces still map to file:line without shipping the sources; keeps bundles small.
  sourcesContent: false,
  target: 'node24',
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  externalModules: [],
};
