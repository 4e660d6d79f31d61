import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { UsageError } from './io';

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

/** Options every command that talks to a stack accepts (node:util parseArgs format). */
export const TARGET_ARGS = {
  stack: { type: 'string' },
  outputs: { type: 'string' },
} as const;

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
    throw new UsageError(
      `cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
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

export function dynamoDocumentClient(target: StackTarget): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(target, 'dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function sqsClient(target: StackTarget): SQSClient {
  // fauxqs queue URLs name an unresolvable host: always send to the configured endpoint.
  return new SQSClient({ ...clientConfig(target, 'sqs'), useQueueUrlAsEndpoint: false });
}

export function snsClient(target: StackTarget): SNSClient {
  return new SNSClient(clientConfig(target, 'sns'));
}
