/**
 * `npm start`: the whole service on this machine, no AWS account. See README "Local stack".
 *   npm start -- [--config FILE] [--data DIR] [--sweep-seconds N] [--stack-file FILE] [--fault-control]
 *                [--visibility-seconds N] [--bulk-window-seconds N] [--pagerduty-url URL]
 *   (PORT and TRIAGE_CONFIG work too)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from './stack';

function loadConfig(file: string | undefined): Record<string, unknown> {
  if (!file) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/** The `pagerDuty` config's topics and severities (its secretName means nothing locally). */
function pagerDutyRouting(config: unknown): Record<string, unknown> {
  if (config === undefined) return {};
  if (config === null || typeof config !== 'object') throw new Error('config pagerDuty: expected an object');
  const { topics, severities } = config as Record<string, unknown>;
  return { ...(topics !== undefined ? { topics } : {}), ...(severities !== undefined ? { severities } : {}) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      data: { type: 'string' },
      'sweep-seconds': { type: 'string', default: '60' },
      'stack-file': { type: 'string', default: '.local/stack.json' },
      'fault-control': { type: 'boolean', default: false },
      'visibility-seconds': { type: 'string', default: '30' },
      'bulk-window-seconds': { type: 'string', default: '1' },
      'pagerduty-url': { type: 'string' },
    },
  });
  const portText = process.env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`PORT must be a port number, got "${portText}"`);
  const sweepSeconds = Number(values['sweep-seconds']);
  if (!Number.isFinite(sweepSeconds) || sweepSeconds < 1)
    throw new Error('--sweep-seconds must be a number ≥ 1');
  const visibility = Number(values['visibility-seconds']);
  if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200) {
    throw new Error('--visibility-seconds must be an integer from 0 to 43200');
  }
  const bulkWindow = Number(values['bulk-window-seconds']);
  if (!Number.isInteger(bulkWindow) || bulkWindow < 0 || bulkWindow > 300) {
    throw new Error('--bulk-window-seconds must be an integer from 0 to 300');
  }
  const config = loadConfig(values.config ?? process.env.TRIAGE_CONFIG);
  const { parsePolicyConfig } = await import('../functions/core/policy');
  const policy = parsePolicyConfig(config.policy ?? {});
  const { RunbooksSchema } = await import('../functions/core/runbooks');
  const runbooks = RunbooksSchema.safeParse(config.runbooks ?? {});
  if (!runbooks.success) {
    throw new Error(
      `config runbooks: ${runbooks.error.issues.map((i) => i.message).join('; ')} (docs/config.md)`,
    );
  }

  const pagerDutyUrl = values['pagerduty-url'];
  if (pagerDutyUrl !== undefined && !/^https?:\/\/\S+$/.test(pagerDutyUrl)) {
    throw new Error(`--pagerduty-url must be an http(s) URL, got "${pagerDutyUrl}"`);
  }
  // Locally the routing key is not a secret worth a vault: PAGERDUTY_ROUTING_KEY, else a dummy one.
  const pagerDuty =
    pagerDutyUrl === undefined
      ? undefined
      : {
          url: pagerDutyUrl,
          routingKey: process.env.PAGERDUTY_ROUTING_KEY ?? 'local-dummy-routing-key',
          routing: pagerDutyRouting(config.pagerDuty),
        };

  // Chat channels with a filterPolicy get their own topic and the relay, as deployed (the others need nothing
  // locally: their Chatbot subscription is on the notification topics). Validated as `cdk synth` does.
  const { parseConfig } = await import('../lib/config');
  const { chat, scopeLane } = parseConfig({
    ...(config.chat === undefined ? {} : { chat: config.chat }),
    ...(config.scopeLane === undefined ? {} : { scopeLane: config.scopeLane }),
  });
  const filteredChannels = [...chat.slack, ...chat.teams].flatMap((channel) =>
    channel.filterPolicy
      ? [{ name: channel.name, topics: channel.topics, filterPolicy: channel.filterPolicy }]
      : [],
  );

  const started = Date.now();
  const stack = await startLocalStack({
    port,
    ...(values.data ? { dataDir: resolve(values.data) } : {}),
    policy,
    runbooks: runbooks.data,
    sweepIntervalMs: sweepSeconds * 1000,
    stackFile: resolve(values['stack-file']),
    faultControl: values['fault-control'],
    visibilityTimeoutSeconds: visibility,
    bulkWindowSeconds: bulkWindow,
    scopeLane: scopeLane.enabled,
    ...(pagerDuty ? { pagerDuty } : {}),
    ...(filteredChannels.length > 0 ? { filteredChannels } : {}),
    log: (line) => console.log(line),
  });
  const { info } = stack;
  console.log(`fireworks-error-triage local stack ready in ${Date.now() - started} ms
  webhook:   POST ${info.webhookUrl}
  catalog:   GET  ${info.codesUrl}
  incidents: GET  ${info.incidentsUrl} (read or admin token)
  silences:  GET|POST ${info.silencesUrl}, DELETE ${info.silencesUrl}/{id} (admin token to change)
  token:     ${info.token} (scope ingest: POST /v1/events)
  admin:     ${info.adminToken} (scope admin: every route)
  queues:    urgent lane (statuses ${policy.incidents.immediateStatuses.join(', ')}) polled at once; bulk lane with a ${bulkWindow} s batching window${scopeLane.enabled ? ', split by scope onto the FIFO scope lane (config scopeLane)' : ''}
  DynamoDB:  ${info.endpoints.dynamodb} (table ${info.tableName})
  SNS/SQS:   ${info.endpoints.sns}
  topics:    ${info.topics.supportEscalations}
             ${info.topics.accountIssues}
  pagerduty: ${pagerDuty ? `${pagerDuty.url} (topics and severities of config pagerDuty; routing key ${process.env.PAGERDUTY_ROUTING_KEY ? 'from PAGERDUTY_ROUTING_KEY' : 'a dummy'})` : 'off (--pagerduty-url URL to forward)'}
  chat:      ${
    info.chatTopics
      ? Object.entries(info.chatTopics)
          .map(([name, arn]) => `${name} (filtered) → ${arn}`)
          .join('\n             ')
      : 'no filtered channel (config chat …filterPolicy)'
  }
  state:     ${values.data ? resolve(values.data) : 'in memory (use --data DIR to keep it)'}
  written:   ${values['stack-file']} (read by the \`npm run triage\` commands)

Try it:
  curl -s -X POST ${info.webhookUrl} -H "Authorization: Bearer ${info.token}" \\
    -H 'content-type: application/json' -d '{"status": 500, "model": "accounts/fireworks/models/llama-v3p1-8b-instruct"}'

Notifications are printed below as they are published. Ctrl-C stops everything.`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`npm start: ${(error as Error).message}`);
  process.exit(1);
});
