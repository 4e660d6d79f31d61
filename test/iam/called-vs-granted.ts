import type { RecordedCall, RecordedResource } from '../helpers/aws-calls/recording';

/**
 * Called vs granted: each function's role, resolved from the synthesized template to the actions and
 * resources it allows, against the AWS calls its handler was recorded making (plus what the Lambda service
 * does with the role on the function's behalf). Resources are compared as template expressions
 * (`{StateTable962DE04C.Arn}/index/due-index`), so no account, region or physical name is needed.
 */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface FunctionReport {
  /** What the handler was recorded calling: `action resource[ leading keys]`. */
  readonly called: string[];
  /** What the role allows: `action resource[ condition]`, one entry per action and resource. */
  readonly granted: string[];
  /** Calls and service needs the role does not allow (AccessDenied on AWS), with the reason. */
  readonly missing: string[];
  /** Grants no recorded call and no service need uses. */
  readonly unused: string[];
}

/** A need: one action on one resource (a template expression, or `*` when the call names none). */
interface Need {
  readonly action: string;
  readonly resource: string;
  readonly leadingKeys?: readonly string[];
  /** Why: the recorded call, or the service feature that needs it. */
  readonly because: string;
}

interface Statement {
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly condition?: Record<string, Record<string, unknown>>;
}

/** SDK commands IAM authorizes as another action. */
const IAM_ACTION: Readonly<Record<string, string>> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
};

const DYNAMODB_READS = new Set([
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
]);

/**
 * What a call on an encrypted resource needs on its KMS key, as the services document it: SQS and SNS
 * producers make a data key and decrypt it, consumers decrypt; DynamoDB uses the caller's rights on the
 * table's customer managed key (through kms:ViaService): decrypt and describe to read, also encrypt and
 * make data keys to write.
 */
function keyActions(action: string): readonly string[] {
  if (action === 'sqs:SendMessage' || action === 'sns:Publish') return ['kms:GenerateDataKey', 'kms:Decrypt'];
  if (action === 'sqs:ReceiveMessage') return ['kms:Decrypt'];
  if (action.startsWith('dynamodb:')) {
    return DYNAMODB_READS.has(action)
      ? ['kms:Decrypt', 'kms:DescribeKey']
      : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
  }
  return [];
}

/** The Lambda service's calls with the role to consume an SQS event source (AWS Lambda developer guide). */
const SQS_EVENT_SOURCE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];
/** The Lambda service's calls with the role to write the function's logs. */
const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];

const asArray = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** The function name a handler is recorded under: `IngestFunction4B2F2EB2` → `ingest` (else the logical id). */
export function functionName(logicalId: string): string {
  const match = /^(.+?)Function[0-9A-F]{8}$/.exec(logicalId);
  return match ? (match[1] as string).toLowerCase() : logicalId;
}

/** Resolves CloudFormation values to comparable strings: `{Id.Arn}`, `{Id.Url}`, `{AWS::Region}`… */
class Expressions {
  constructor(private readonly template: CfnTemplate) {}

  type(id: string): string | undefined {
    return this.template.Resources[id]?.Type;
  }

  /** What `Ref` returns, by resource type (CloudFormation's documented return values). */
  private ref(id: string): string {
    if (id.startsWith('AWS::')) return `{${id}}`;
    switch (this.type(id)) {
      case 'AWS::SNS::Topic':
      case 'AWS::IAM::ManagedPolicy':
        return `{${id}.Arn}`;
      case 'AWS::SQS::Queue':
        return `{${id}.Url}`;
      case 'AWS::KMS::Key':
        return `{${id}.KeyId}`;
      default:
        return `{${id}.Name}`;
    }
  }

  resolve(value: unknown): string {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string') return this.ref(v.Ref);
      if (Array.isArray(v['Fn::GetAtt'])) {
        const [id, attribute] = v['Fn::GetAtt'] as [string, string];
        return `{${id}.${attribute}}`;
      }
      if (Array.isArray(v['Fn::Join'])) {
        const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
        return parts.map((p) => this.resolve(p)).join(separator);
      }
      if (v['Fn::Sub'] !== undefined) {
        const [text, variables] = (Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'] : [v['Fn::Sub'], {}]) as [
          string,
          Record<string, unknown>,
        ];
        return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (variables[name] !== undefined) return this.resolve(variables[name]);
          return name.includes('.') ? `{${name}}` : this.ref(name);
        });
      }
    }
    return JSON.stringify(value);
  }

  /** The ARN of the resource a value names (a queue's URL or a key's id name the same resource). */
  arnOf(value: unknown): string {
    return this.resolve(value).replace(/^\{([^.}]+)\.(Url|Name|KeyId)\}$/, '{$1.Arn}');
  }
}

/** IAM's wildcard match (`*` any run, `?` one character), case-sensitive as for resources. */
function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^$|()[\]{}\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'i' : '').test(value);
}

/** Does a statement's condition hold for the need? Only what this stack uses is understood; else: no. */
function conditionHolds(condition: Statement['condition'], need: Need): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, tests]) =>
    Object.entries(tests).every(([key, expected]) => {
      const values = asArray(expected).map(String);
      if (key === 'dynamodb:LeadingKeys' && operator.startsWith('ForAllValues:')) {
        const match = operator.endsWith('StringLike')
          ? (k: string) => values.some((v) => globMatch(v, k))
          : operator.endsWith('StringEquals')
            ? (k: string) => values.includes(k)
            : undefined;
        // ForAllValues holds when the request names no value at all (IAM's documented semantics).
        return match !== undefined && (need.leadingKeys ?? []).every(match);
      }
      return false;
    }),
  );
}

function statementAllows(statement: Statement, need: Need): boolean {
  return (
    statement.actions.some((a) => globMatch(a, need.action, true)) &&
    statement.resources.some((r) => globMatch(r, need.resource)) &&
    conditionHolds(statement.condition, need)
  );
}

/** The statements of a role: its inline policies and every AWS::IAM::Policy attached to it. */
function roleStatements(
  template: CfnTemplate,
  roleId: string,
  expressions: Expressions,
): {
  statements: Statement[];
  unresolved: string[];
} {
  const documents: unknown[] = [];
  const unresolved: string[] = [];
  const role = template.Resources[roleId];
  for (const policy of asArray(role?.Properties?.Policies))
    documents.push((policy as { PolicyDocument?: unknown }).PolicyDocument);
  for (const arn of asArray(role?.Properties?.ManagedPolicyArns)) {
    // A managed policy of this template is read; an AWS managed one cannot be.
    const id = logicalIdOf(expressions.resolve(arn));
    const local = id ? template.Resources[id] : undefined;
    if (local?.Type === 'AWS::IAM::ManagedPolicy') continue;
    unresolved.push(
      `managed policy ${expressions.resolve(arn)} (not resolved: its statements are not in the template)`,
    );
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::IAM::ManagedPolicy') {
      const attached = asArray(role?.Properties?.ManagedPolicyArns).some(
        (arn) => logicalIdOf(expressions.resolve(arn)) === id,
      );
      const roles = asArray(resource.Properties?.Roles).map((r) => expressions.resolve(r));
      if (attached || roles.includes(`{${roleId}.Name}`)) documents.push(resource.Properties?.PolicyDocument);
      continue;
    }
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const roles = asArray(resource.Properties?.Roles).map((r) => expressions.resolve(r));
    if (roles.includes(`{${roleId}.Name}`)) documents.push(resource.Properties?.PolicyDocument);
  }
  const statements: Statement[] = documents.flatMap((document) =>
    asArray((document as { Statement?: unknown } | undefined)?.Statement).map((s) => {
      const statement = s as Record<string, unknown>;
      return {
        effect: statement.Effect === 'Deny' ? 'Deny' : 'Allow',
        actions: asArray(statement.Action).map(String),
        resources: asArray(statement.Resource).map((r) => expressions.resolve(r)),
        ...(statement.Condition
          ? { condition: statement.Condition as Record<string, Record<string, unknown>> }
          : {}),
      } satisfies Statement;
    }),
  );
  statements.push(...resourcePolicyStatements(template, roleId, expressions));
  return { statements, unresolved };
}

/** Does a Deny hold only for plain HTTP? (`aws:SecureTransport` false: the SDK always calls AWS over HTTPS.) */
const onlyWithoutTls = (condition: unknown) =>
  JSON.stringify(condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } });

/**
 * Resource policies (KMS key policies, queue and topic policies) as statements about the role: an Allow that
 * names the role, and every Deny that applies to any principal. Within one account an Allow on either side
 * suffices; a Deny on either side wins. The TLS-only Denies the stack sets never apply to SDK calls.
 */
function resourcePolicyStatements(
  template: CfnTemplate,
  roleId: string,
  expressions: Expressions,
): Statement[] {
  const out: Statement[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    let document: unknown;
    let targets: string[];
    if (resource.Type === 'AWS::KMS::Key') {
      document = p.KeyPolicy;
      targets = [`{${id}.Arn}`];
    } else if (resource.Type === 'AWS::SQS::QueuePolicy') {
      document = p.PolicyDocument;
      targets = asArray(p.Queues).map((q) => expressions.arnOf(q));
    } else if (resource.Type === 'AWS::SNS::TopicPolicy') {
      document = p.PolicyDocument;
      targets = asArray(p.Topics).map((t) => expressions.arnOf(t));
    } else continue;
    for (const raw of asArray((document as { Statement?: unknown } | undefined)?.Statement)) {
      const statement = raw as Record<string, unknown>;
      const principal = statement.Principal as Record<string, unknown> | string | undefined;
      const principals =
        principal === '*'
          ? ['*']
          : asArray((principal as { AWS?: unknown } | undefined)?.AWS).map((a) => expressions.resolve(a));
      const names = principals.includes(`{${roleId}.Arn}`);
      const anyone = principals.includes('*');
      // A resource policy's statements are about its own resource(s).
      const resources = targets;
      const actions = asArray(statement.Action).map(String);
      if (statement.Effect === 'Allow' && names) {
        out.push({
          effect: 'Allow',
          actions,
          resources,
          ...(statement.Condition ? { condition: statement.Condition as Statement['condition'] } : {}),
        });
      } else if (statement.Effect === 'Deny' && (names || anyone) && !onlyWithoutTls(statement.Condition)) {
        out.push({ effect: 'Deny', actions, resources });
      }
    }
  }
  return out;
}

/** The KMS key protecting a queue, topic or table, if any. */
function encryptionKey(resource: CfnResource | undefined, expressions: Expressions): string | undefined {
  const p = resource?.Properties ?? {};
  const key =
    p.KmsMasterKeyId ?? (p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId;
  return key === undefined ? undefined : expressions.arnOf(key);
}

/** `{Id.Arn}` → `Id`. */
const logicalIdOf = (expression: string) => /^\{([^.}]+)\./.exec(expression)?.[1];

/** Shorten the partition keys of a call for the report: `incident#immediate#model#x` → `incident#…`. */
const keyShape = (key: string) => key.replace(/#.*$/, '#…');

/** Compare each function's role with what its handler was recorded calling and what the service needs. */
export function compare(
  template: CfnTemplate,
  calls: readonly RecordedCall[],
): Record<string, FunctionReport> {
  const expressions = new Expressions(template);
  const reports: Record<string, FunctionReport> = {};
  const functions = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
  for (const [fnId, fn] of functions) {
    const name = functionName(fnId);
    const props = fn.Properties ?? {};
    const roleId = logicalIdOf(expressions.resolve(props.Role)) ?? '';
    const { statements, unresolved } = roleStatements(template, roleId, expressions);
    const environment = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {}) as Record<string, unknown>;
    const needs: Need[] = [];
    const missing: string[] = [];
    const called = new Map<string, Set<string>>();

    // What the service does with the role: write the function's logs, consume its event sources, send
    // failed asynchronous invocations to their destination.
    const logGroup = (props.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
    if (logGroup !== undefined) {
      for (const action of LOG_ACTIONS)
        needs.push({
          action,
          resource: expressions.arnOf(logGroup),
          because: 'the function writes its logs',
        });
    }
    const sends = (target: unknown, because: string) => {
      const arn = expressions.arnOf(target);
      const targetId = logicalIdOf(arn);
      const type = targetId ? expressions.type(targetId) : undefined;
      const action =
        type === 'AWS::SQS::Queue'
          ? 'sqs:SendMessage'
          : type === 'AWS::SNS::Topic'
            ? 'sns:Publish'
            : undefined;
      if (!action) return;
      needs.push({ action, resource: arn, because });
      const key = encryptionKey(targetId ? template.Resources[targetId] : undefined, expressions);
      if (key) for (const k of keyActions(action)) needs.push({ action: k, resource: key, because });
    };
    for (const [id, resource] of Object.entries(template.Resources)) {
      const p = resource.Properties ?? {};
      if (expressions.resolve(p.FunctionName) !== `{${fnId}.Name}`) continue;
      if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
        const source = expressions.arnOf(p.EventSourceArn);
        const sourceId = logicalIdOf(source);
        if (sourceId && expressions.type(sourceId) === 'AWS::SQS::Queue') {
          const because = `the event source mapping ${id} consumes it`;
          for (const action of SQS_EVENT_SOURCE_ACTIONS) needs.push({ action, resource: source, because });
          const key = encryptionKey(template.Resources[sourceId], expressions);
          if (key) needs.push({ action: 'kms:Decrypt', resource: key, because });
        } else missing.push(`event source ${source} of ${id}: not understood by this check`);
      }
      if (resource.Type === 'AWS::Lambda::EventInvokeConfig') {
        const destinations = (p.DestinationConfig ?? {}) as Record<string, { Destination?: unknown }>;
        for (const [when, destination] of Object.entries(destinations))
          sends(destination.Destination, `${when} destination of asynchronous invocations (${id})`);
      }
    }
    const deadLetter = (props.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
    if (deadLetter !== undefined) sends(deadLetter, 'dead-letter queue of asynchronous invocations');

    // What the handler was recorded calling.
    for (const call of calls.filter((c) => c.function === name)) {
      const action = IAM_ACTION[call.action] ?? call.action;
      const target = resourceOf(action, call.resource, environment, expressions);
      const keys = call.resource.leadingKeys;
      const label = `${action} ${target.label}`;
      const shapes = called.get(label) ?? new Set<string>();
      for (const key of keys ?? []) shapes.add(keyShape(key));
      called.set(label, shapes);
      if (target.problem) {
        missing.push(`${call.action} ${target.label}: ${target.problem}`);
        continue;
      }
      const because = `the handler calls ${call.action}`;
      needs.push({ action, resource: target.resource, ...(keys ? { leadingKeys: keys } : {}), because });
      const resourceId = logicalIdOf(target.resource);
      const key = encryptionKey(resourceId ? template.Resources[resourceId] : undefined, expressions);
      if (key) {
        for (const k of keyActions(action))
          needs.push({ action: k, resource: key, because: `${because} on an encrypted resource` });
      }
    }

    // Allowed when an Allow statement matches and no Deny does.
    const used = new Set<string>();
    const refused = new Map<string, Set<string>>();
    for (const need of needs) {
      const allowing = statements.filter((s) => s.effect === 'Allow' && statementAllows(s, need));
      const denied = statements.some(
        (s) =>
          s.effect === 'Deny' &&
          s.actions.some((a) => globMatch(a, need.action, true)) &&
          s.resources.some((r) => globMatch(r, need.resource)),
      );
      if (allowing.length === 0 || denied) {
        const keys = need.leadingKeys
          ? ` (partition ${[...new Set(need.leadingKeys.map(keyShape))].join(', ')})`
          : '';
        const line = `${need.action} ${need.resource}${keys}: ${denied ? 'denied' : 'not allowed'}`;
        refused.set(line, (refused.get(line) ?? new Set()).add(need.because));
        continue;
      }
      for (const statement of allowing) {
        for (const action of statement.actions.filter((a) => globMatch(a, need.action, true)))
          for (const resource of statement.resources.filter((r) => globMatch(r, need.resource)))
            used.add(grantLabel(action, resource, statement));
      }
    }
    for (const [line, reasons] of refused) missing.push(`${line} — ${[...reasons].join('; ')}`);
    const granted = statements
      .filter((s) => s.effect === 'Allow')
      .flatMap((s) => s.actions.flatMap((a) => s.resources.map((r) => grantLabel(a, r, s))));
    reports[name] = {
      called: [...called]
        .map(([label, shapes]) =>
          shapes.size > 0 ? `${label} (partition ${[...shapes].sort().join(', ')})` : label,
        )
        .sort(),
      granted: [...new Set([...granted, ...unresolved])].sort(),
      missing: missing.sort(),
      unused: [...new Set([...granted.filter((g) => !used.has(g)), ...unresolved])].sort(),
    };
  }
  return reports;
}

function grantLabel(action: string, resource: string, statement: Statement): string {
  return statement.condition
    ? `${action} ${resource} if ${JSON.stringify(statement.condition)}`
    : `${action} ${resource}`;
}

/** The template expression of the resource a recorded call targets (through the function's environment). */
function resourceOf(
  action: string,
  resource: RecordedResource,
  environment: Record<string, unknown>,
  expressions: Expressions,
): { resource: string; label: string; problem?: string } {
  if (resource.env !== undefined) {
    const value = environment[resource.env];
    // A resource the stack does not create, named in the environment as configured: an ARN as it is; a
    // secret by its name, as Secrets Manager's ARN for it (the name, a dash and six random characters).
    if (typeof value === 'string' && value.startsWith('arn:')) return { resource: value, label: value };
    if (typeof value === 'string' && action.startsWith('secretsmanager:')) {
      const arn = `arn:{AWS::Partition}:secretsmanager:{AWS::Region}:{AWS::AccountId}:secret:${value}-AbCdEf`;
      return { resource: arn, label: arn.replace(/-AbCdEf$/, '-??????') };
    }
    if (value === undefined || typeof value === 'string') {
      return {
        resource: '',
        label: `$${resource.env}`,
        problem: `the template does not give the function ${resource.env} as a resource reference`,
      };
    }
    const arn = expressions.arnOf(value);
    const full = resource.index === undefined ? arn : `${arn}/index/${resource.index}`;
    return { resource: full, label: full };
  }
  if (resource.name !== undefined) {
    return {
      resource: '',
      label: resource.name,
      problem: 'a resource named by no environment variable of the function (hard-coded?)',
    };
  }
  return { resource: '*', label: '*' };
}
