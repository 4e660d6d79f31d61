/**
 * Whose error a log line reports. Three outcomes, from what the line itself shows:
 * - `fireworks`: Fireworks' host, a Fireworks resource name (`accounts/…/models/…`), LiteLLM's
 *   `Fireworks_ai` tag, a router's `provider_name: Fireworks`;
 * - `other`: another named LLM provider (api.openai.com, Anthropic, Bedrock, OpenRouter, Ollama …), or a
 *   service that is not an LLM API at all (a web page behind nginx, a CDN, a container registry, S3);
 * - `unknown`: an LLM API error that names no provider — what apps print when they call Fireworks through
 *   an OpenAI-compatible client — or a line that shows nothing either way.
 * `llm` says whether the line looks like an LLM API call (undefined: it shows nothing either way).
 */

import type { Provider } from '../event';

export type { Provider };

export interface Attribution {
  readonly provider: Provider;
  readonly llm: boolean | undefined;
  /** What decided it, for `triage extract --explain`. */
  readonly evidence: string;
}

const FIREWORKS = /fireworks|accounts\/[\w.-]+\/(?:models|deployedModels|deployments)\/|\/inference\/v1\//i;

/** Other LLM providers: their API hosts, SDK and exception names, router tags. */
const OTHER_PROVIDER =
  /api\.openai\.com|(?:platform|help|chat)\.openai\.com|support@openai\.com|\.openai\.azure\.com|\bAzure ?OpenAI\b|AzureException|api\.anthropic\.com|docs\.anthropic\.com|\bAnthropic(?:Exception|Error)?\b|\banthropic\.|generativelanguage\.googleapis\.com|aiplatform\.googleapis\.com|VertexAI|vertex_ai|google\.genai|google\.api_core|langchain_google|ai\.google\.dev|bedrock|api\.groq\.com|GroqException|\bgroq\b|api\.together\.(?:xyz|ai)|TogetherException|openrouter|api\.mistral\.ai|mistralai|Mistral(?:API|Exception)|API error from mistral|api\.deepseek\.com|huggingface\.co|huggingface_hub|api\.cohere\.(?:ai|com)|api\.perplexity\.ai|api\.x\.ai|\bollama\b|:11434\b|\bvllm\b|gigachat|api\.nvidia\.com|scaleway|replicate\.com|cerebras|deepinfra|dashscope/i;

/** Paths of LLM APIs (OpenAI-compatible, Anthropic, Ollama, Bedrock, Gemini, ChatGPT web). */
const LLM_PATH =
  /\/(?:chat\/completions|completions|embeddings|messages|responses|conversations?|converse(?:-stream)?|generateContent|streamGenerateContent|generate|rerank|inference|chat|models)(?:[/?#"'\s]|$)/i;
/** Hosts whose name says they serve AI models. */
const LLM_HOST = /(?:^|[.-])(?:ai|llm|gpt|chat|model|models|inference|openai|langchain|litellm)(?:[.-]|$)/i;

/** A URL's host and path, or an access log's request path. */
const URL = /\bhttps?:\/\/([^/\s'"`<>)\\]+)(\/[^\s'"`<>)?\\]*)?/gi;
const REQUEST_PATH = /\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\]?\s+"?(\/[^\s"?]*)/g;

/** Signs of infrastructure and services that are not LLM APIs. */
const NON_LLM_SERVICE = new RegExp(
  [
    // web servers, proxies, load balancers and CDNs speaking for themselves
    String.raw`\bnginx\b|\[error\] \d+#\d+:|\bcloudfront\b|\bcloudflare\b|\bRay ID\b|\bcf-ray\b|\benvoy\b|response_flags|upstream_reset`,
    String.raw`\bHAProxy\b|No server is available to handle this request|\btraefik\b|\bcaddy\b|http\.log\.access|\bkong\b`,
    String.raw`\[proxy(?:_\w+)?:error\]|\bAH0\d{4}\b|\bgunicorn\b|werkzeug|\bupstream connect error\b|dial tcp`,
    // platforms and their own error codes
    String.raw`Execution failed due to configuration error|Method completed with status|\b(?:EDGE_)?FUNCTION_INVOCATION_(?:TIMEOUT|FAILED)\b`,
    String.raw`\bkubelet\b|\b(?:Readiness|Liveness|Startup) probe\b|Error from server \(`,
    // container registries and package managers
    String.raw`Error response from daemon|\btoomanyrequests: You have reached your pull rate limit|\bregistry\b|\bdocker\.io\b|\bghcr\.io\b|\bquay\.io\b|\bmanifest unknown\b`,
    String.raw`\bnpm (?:ERR!|error)|\bpip\b|\.php\b`,
    // storage, databases, queues, search
    String.raw`\bS3 error\b|\.s3[.-]|\bAmazonS3\b|\bNoSuch(?:Key|Bucket)\b|\bpostgres|\bmysql\b|\bredis\b|\bmongo(?:db)?\b|\belasticsearch\b|\bopensearch\b|\bkafka\b|\brabbitmq\b`,
    // AWS calls other than a model's: \`when calling the PutObject operation\`
    String.raw`when calling the (?!InvokeModel|Converse|InvokeEndpoint|ApplyGuardrail)\w+ operation`,
    // SaaS APIs apps also call: payments, messaging, auth, feature flags, monitoring
    String.raw`\bstripe\b|\btwilio\b|\bsendgrid\b|\bhooks\.slack\.com\b|\bauth0\b|\bokta\b|\bcognito\b|\bkeycloak\b`,
    String.raw`\blaunchdarkly\b|\bunleash\b|\bsplit\.io\b|\bflagsmith\b|\bsentry\.io\b|\bdatadoghq\b|\bapi\.github\.com\b`,
  ].join('|'),
  'i',
);

/**
 * Services an LLM app calls beside the model: vector databases, chat webhooks, app backends. Unlike the
 * infrastructure above, a line naming one may still be about the model call (a Slack bot's OpenAI error),
 * so they decide only for a line without an LLM client's words.
 */
const BESIDE_THE_MODEL =
  /\bpinecone\b|\bqdrant(?:_client)?\b|\bweaviate\b|\bchroma(?:db)?\b|\bmilvus\b|\bslack\w*\b|\bsupabase\b|\bfirebase\w*\b/i;

/** A line of HTML: a web server's or CDN's error page, not an API's JSON error. */
const HTML_PAGE = /^\s*<(?:!DOCTYPE|html|head|title|body|center|h1|hr|span|div|p)\b/i;

/** Words of LLM clients, frameworks and payloads. */
const LLM_WORDS =
  /\b(?:openai|litellm|langchain\w*|llama_?index|haystack|dspy|instructor|crewai|autogen|semantic[ _-]?kernel|AI_APICallError|AI_RetryError|ChatCompletion|chat\.completion|completions?|chat_models|embeddings?|LLM|llm|GPT|gpt-[\w.-]+|\w*GPT\w*|max_tokens|prompt|tokens?|model|models|inference|chatbot|assistant)\b/;

function urlVerdict(line: string): { llm: boolean; evidence: string } | undefined {
  const urls = [...line.matchAll(URL)];
  const paths = [...line.matchAll(REQUEST_PATH)];
  const llmUrl = urls.find(([, host, path = '/']) => LLM_PATH.test(path) || LLM_HOST.test(host as string));
  if (llmUrl) return { llm: true, evidence: `LLM API URL ${llmUrl[1]}${llmUrl[2] ?? '/'}` };
  const llmPath = paths.find(([, path]) => LLM_PATH.test(path as string));
  if (llmPath) return { llm: true, evidence: `LLM API path ${llmPath[1]}` };
  if (urls[0]) return { llm: false, evidence: `a URL that is not an LLM API (${urls[0][0]})` };
  if (paths[0]) return { llm: false, evidence: `a request path that is not an LLM API (${paths[0][1]})` };
  return undefined;
}

/** `endpoint`: the path the line's record names (a JSON log's `url`/`path`), when the text shows no URL. */
export function attribute(line: string, endpoint?: string): Attribution {
  const fireworks = FIREWORKS.exec(line);
  if (fireworks) return { provider: 'fireworks', llm: true, evidence: `shows Fireworks (${fireworks[0]})` };
  const other = OTHER_PROVIDER.exec(line);
  if (other) return { provider: 'other', llm: true, evidence: `names another LLM provider (${other[0]})` };
  const url =
    urlVerdict(line) ??
    (endpoint === undefined
      ? undefined
      : LLM_PATH.test(endpoint)
        ? { llm: true, evidence: `LLM API path ${endpoint}` }
        : { llm: false, evidence: `a path that is not an LLM API (${endpoint})` });
  if (url?.llm) return { provider: 'unknown', llm: true, evidence: url.evidence };
  if (url) return { provider: 'other', llm: false, evidence: url.evidence };
  if (HTML_PAGE.test(line))
    return { provider: 'other', llm: false, evidence: 'an HTML error page (a web server’s or CDN’s)' };
  const service = NON_LLM_SERVICE.exec(line);
  if (service)
    return { provider: 'other', llm: false, evidence: `a service that is not an LLM API (${service[0]})` };
  const words = LLM_WORDS.exec(line);
  if (words)
    return {
      provider: 'unknown',
      llm: true,
      evidence: `an LLM client's words (${words[0]}), no provider named`,
    };
  const beside = BESIDE_THE_MODEL.exec(line);
  if (beside)
    return { provider: 'other', llm: false, evidence: `a service that is not an LLM API (${beside[0]})` };
  return { provider: 'unknown', llm: undefined, evidence: 'names no provider and no service' };
}

/**
 * Which extracted errors a log group counts (config `logGroups[].count`):
 * - `default`: errors that show Fireworks, and LLM API errors that name no provider — most apps call
 *   Fireworks through OpenAI-compatible clients whose lines never say so;
 * - `llm`: this app calls only Fireworks, so every LLM API error counts, whatever provider the line names;
 * - `shown`: only errors whose line shows Fireworks or an LLM API call; a line that shows nothing either
 *   way (`HTTP/2 429`) is left out — for an app whose other HTTP calls would otherwise count;
 * - `all`: every HTTP error the extractor finds, LLM or not.
 */
export type CountMode = 'default' | 'shown' | 'llm' | 'all';

export const COUNT_MODES: readonly CountMode[] = ['default', 'shown', 'llm', 'all'];

export function counts(
  attribution: { readonly provider: Provider; readonly llm?: boolean | undefined },
  mode: CountMode,
): boolean {
  switch (mode) {
    case 'all':
      return true;
    case 'llm':
      return attribution.provider !== 'other' || attribution.llm === true;
    case 'default':
      return attribution.provider !== 'other';
    case 'shown':
      return (
        attribution.provider === 'fireworks' ||
        (attribution.provider === 'unknown' && attribution.llm === true)
      );
  }
}
