import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { describeConnectionError, describeFileError } from './file-errors';
import { type CliContext, UsageError } from './io';

/** Where the CLI talks to: the local stack (`npm start`) or a deployed one (`cdk deploy --outputs-file`). */
export interface StackTarget {
  readonly kind: 'local' | 'aws';
  /** The file it was read from. */
  readonly source: string;
  readonly region: string;
  readonly webhookUrl?: string;
  readonly codesUrl?: string;
  /** Only the local stack file carries tokens: an `ingest` one and an `admin` one. */
  readonly token?: string;
  readonly adminToken?: string;
  readonly tableName?: string;
  readonly queueUrl?: string;
  /** Emulator endpoints (local stack only). */
  readonly endpoints?: { readonly sns?: string; readonly sqs?: string; readonly dynamodb?: string };
  readonly topics: { readonly supportEscalations?: string; readonly accountIssues?: string };
}

export interface TargetOptions {
  /** `--stack FILE`: a `.local/stack.json`. */
  readonly stack?: string;
  /** `--outputs FILE`: the JSON `cdk deploy --outputs-file` writes. */
  readonly outputs?: string;
  /** Where `.local/stack.json` is looked for when neither is given (default: the working directory). */
  readonly cwd?: string;
  /** Region of a deployed stack whose outputs lack `Region` (default: AWS_REGION). */
  readonly defaultRegion?: string;
}

export const DEFAULT_STACK_FILE = '.local/stack.json';

/** `--stack` / `--outputs`, as every command that talks to a stack takes them (see cli/program.ts). */
export interface StackTargetOptions {
  readonly stack?: string;
  readonly outputs?: string;
}

const url = z.string().check(z.minLength(1));

const LocalStackSchema = z.object({
  region: z.string().check(z.minLength(1)),
  webhookUrl: z.optional(url),
  codesUrl: z.optional(url),
  token: z.optional(z.string()),
  adminToken: z.optional(z.string()),
  tableName: z.optional(z.string()),
  queueUrl: z.optional(url),
  endpoints: z.object({ sns: z.optional(url), sqs: z.optional(url), dynamodb: z.optional(url) }),
  topics: z.optional(
    z.object({ supportEscalations: z.optional(z.string()), accountIssues: z.optional(z.string()) }),
  ),
});

/** The stack outputs named in the contracts (CfnOutput ids at stack level). */
const StackOutputsSchema = z.object({
  WebhookUrl: z.optional(z.string()),
  CodesUrl: z.optional(z.string()),
  SupportEscalationsTopicArn: z.optional(z.string()),
  AccountIssuesTopicArn: z.optional(z.string()),
  StateTableName: z.optional(z.string()),
  EventsQueueUrl: z.optional(z.string()),
  Region: z.optional(z.string()),
});

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(
      missing
        ? `${what} ${file} does not exist: ${what === 'stack file' ? 'start the local stack (`npm start` writes it) or pass the right --stack FILE' : 'deploy with `npx cdk deploy --outputs-file FILE` or pass the right --outputs FILE'}`
        : `${what} ${file} ${describeFileError(error)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function problems(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`).join('; ');
}

function fromLocalStack(file: string): StackTarget {
  const parsed = LocalStackSchema.safeParse(readJson(file, 'stack file'));
  if (!parsed.success)
    throw new UsageError(`stack file ${file} is not a local stack file: ${problems(parsed.error)}`);
  const { topics, ...rest } = parsed.data;
  return { kind: 'local', source: file, ...rest, topics: topics ?? {} };
}

function regionOf(arn: string | undefined): string | undefined {
  return arn?.split(':')[3] || undefined;
}

function fromOutputs(file: string, defaultRegion: string | undefined): StackTarget {
  const json = readJson(file, 'outputs file');
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new UsageError(`outputs file ${file} must be an object of stack names to outputs`);
  }
  const stacks = Object.entries(json as Record<string, unknown>).filter(
    ([, outputs]) => outputs && typeof outputs === 'object' && 'StateTableName' in outputs,
  );
  const [only, ...more] = stacks;
  if (!only) throw new UsageError(`outputs file ${file} has no stack with a StateTableName output`);
  if (more.length > 0) {
    throw new UsageError(
      `outputs file ${file} has several triage stacks (${stacks.map(([name]) => name).join(', ')}); keep one per file`,
    );
  }
  const [stackName, raw] = only;
  const parsed = StackOutputsSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`outputs of ${stackName} in ${file}: ${problems(parsed.error)}`);
  const o = parsed.data;
  const region =
    o.Region ?? regionOf(o.SupportEscalationsTopicArn) ?? regionOf(o.AccountIssuesTopicArn) ?? defaultRegion;
  if (!region) throw new UsageError(`outputs of ${stackName} in ${file} name no region; set AWS_REGION`);
  return {
    kind: 'aws',
    source: file,
    region,
    ...(o.WebhookUrl ? { webhookUrl: o.WebhookUrl } : {}),
    ...(o.CodesUrl ? { codesUrl: o.CodesUrl } : {}),
    ...(o.StateTableName ? { tableName: o.StateTableName } : {}),
    ...(o.EventsQueueUrl ? { queueUrl: o.EventsQueueUrl } : {}),
    topics: {
      ...(o.SupportEscalationsTopicArn ? { supportEscalations: o.SupportEscalationsTopicArn } : {}),
      ...(o.AccountIssuesTopicArn ? { accountIssues: o.AccountIssuesTopicArn } : {}),
    },
  };
}

/** `--stack FILE`, else `--outputs FILE`, else `./.local/stack.json` if it exists. */
export function resolveStackTarget(options: TargetOptions): StackTarget {
  const cwd = options.cwd ?? process.cwd();
  if (options.stack) return fromLocalStack(resolve(cwd, options.stack));
  if (options.outputs) {
    return fromOutputs(resolve(cwd, options.outputs), options.defaultRegion ?? process.env.AWS_REGION);
  }
  const local = resolve(cwd, DEFAULT_STACK_FILE);
  if (existsSync(local)) return fromLocalStack(local);
  throw new UsageError(
    `no stack to talk to: start the local stack (npm start, which writes ${DEFAULT_STACK_FILE}), ` +
      'or pass --stack FILE, or --outputs FILE (from cdk deploy --outputs-file)',
  );
}

/** The stack a command's `--stack` / `--outputs` options name, relative to the context's directory. */
export function stackTargetFor(
  options: StackTargetOptions,
  ctx: Pick<CliContext, 'cwd' | 'env'>,
): StackTarget {
  return resolveStackTarget({
    ...(options.stack ? { stack: options.stack } : {}),
    ...(options.outputs ? { outputs: options.outputs } : {}),
    cwd: ctx.cwd,
    ...(ctx.env.AWS_REGION ? { defaultRegion: ctx.env.AWS_REGION } : {}),
  });
}

/** A value the command needs from the target, or a clear error naming where it should come from. */
export function requireTarget<K extends 'tableName' | 'queueUrl' | 'webhookUrl' | 'token'>(
  target: StackTarget,
  key: K,
): string {
  const value = target[key];
  if (!value) throw new UsageError(`${target.source} does not say the stack's ${key}`);
  return value;
}

type Service = 'dynamodb' | 'sns' | 'sqs';

/**
 * SDK client configuration for a target: the emulator endpoint and dummy credentials for the local stack;
 * the default credential chain (profiles, SSO, env) for a deployed stack.
 */
export function clientConfig(target: StackTarget, service: Service) {
  const endpoint = target.endpoints?.[service];
  if (target.kind === 'local') {
    return {
      region: target.region,
      ...(endpoint ? { endpoint } : {}),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
  }
  return { region: target.region };
}

const SERVICE_NAMES: Readonly<Record<Service, string>> = { dynamodb: 'DynamoDB', sns: 'SNS', sqs: 'SQS' };

/**
 * An SDK error in words a user can act on: an emulator that is not running, missing or expired AWS
 * credentials, a table or topic that is not there. Other errors (a failed condition...) pass unchanged.
 */
export function explainAwsError(error: unknown, target: StackTarget, service: Service): unknown {
  const e = error as { name?: string; message?: string };
  const name = SERVICE_NAMES[service];
  const unreachable = describeConnectionError(error);
  if (unreachable) {
    return new Error(
      target.kind === 'local'
        ? `cannot reach the local stack's ${name} at ${target.endpoints?.[service] ?? '?'}: ${unreachable} — is \`npm start\` running? (${target.source} is from the last one started)`
        : `cannot reach AWS ${name} in ${target.region}: ${unreachable}`,
      { cause: error },
    );
  }
  const fix = (text: string) => new Error(`${text} (${name}: ${e.message ?? e.name})`, { cause: error });
  switch (e.name) {
    case 'CredentialsProviderError':
      return fix(
        'no AWS credentials: set AWS_PROFILE, run `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      );
    case 'ExpiredToken':
    case 'ExpiredTokenException':
      return fix('your AWS credentials have expired: renew them (e.g. `aws sso login`)');
    case 'UnrecognizedClientException':
    case 'InvalidClientTokenId':
      return fix(`AWS does not recognise these credentials in ${target.region}: check AWS_PROFILE`);
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'AuthorizationError':
      return fix('your AWS identity is not allowed to do this: use a role that may manage the stack');
    case 'ResourceNotFoundException':
    case 'NotFoundException':
    case 'NotFound':
      return fix(
        target.kind === 'local'
          ? `the local stack's resources are gone: restart \`npm start\` (${target.source} is stale)`
          : `not found in ${target.region}: is the stack deployed there, and is ${target.source} from its last deploy?`,
      );
    default:
      return error;
  }
}

/** Every SDK call through `client` fails with an explained error (see explainAwsError). */
function explained<C extends DynamoDBClient | SNSClient | SQSClient>(
  client: C,
  target: StackTarget,
  service: Service,
): C {
  (client.middlewareStack as DynamoDBClient['middlewareStack']).add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw explainAwsError(error, target, service);
      }
    },
    { step: 'initialize', name: 'triageCliExplainErrors' },
  );
  return client;
}

export function dynamoDocumentClient(target: StackTarget): DynamoDBDocumentClient {
  const client = explained(new DynamoDBClient(clientConfig(target, 'dynamodb')), target, 'dynamodb');
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function sqsClient(target: StackTarget): SQSClient {
  // fauxqs queue URLs name an unresolvable host: always send to the configured endpoint.
  return explained(
    new SQSClient({ ...clientConfig(target, 'sqs'), useQueueUrlAsEndpoint: false }),
    target,
    'sqs',
  );
}

export function snsClient(target: StackTarget): SNSClient {
  return explained(new SNSClient(clientConfig(target, 'sns')), target, 'sns');
}
