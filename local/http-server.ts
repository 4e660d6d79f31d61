import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface Route {
  readonly path: string;
  /** Also route these sub-paths here, as API Gateway routes with a path parameter: `/{id}`, `/{id}/ack`. */
  readonly subPaths?: readonly string[];
  /** Methods the API routes to the handler; others on the same path still reach it (it answers 405). */
  readonly name: string;
  readonly handler: HttpHandler;
}

/** API Gateway HTTP APIs refuse payloads above 10 MB before any Lambda runs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * The request's URL. `new URL(req.url, base)` throws on request targets such as `//` (read as a host-less
 * authority): the target is always appended to the base instead, so every path parses.
 */
function requestUrl(req: IncomingMessage): URL {
  const target = req.url ?? '/';
  try {
    return new URL(`http://localhost${target.startsWith('/') ? '' : '/'}${target}`);
  } catch {
    return new URL('http://localhost/');
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Translate a Node request to the API Gateway v2 (HTTP API, payload 2.0) event a Lambda receives. */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
): APIGatewayProxyEventV2 {
  const url = requestUrl(req);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  const textual = body.length === 0 || /json|text|xml|urlencoded/i.test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: textual ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !textual,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (
    typeof result === 'string' ||
    result === null ||
    typeof result !== 'object' ||
    !('statusCode' in result)
  ) {
    json(res, 200, result);
    return;
  }
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

/** `/v1/silences` + `/{id}` → a pattern matching `/v1/silences/<one segment>`. */
function subPathPattern(base: string, template: string): RegExp {
  const literal = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const parts = template.split(/\{[^}]+\}/).map(literal);
  return new RegExp(`^${literal(base)}${parts.join('[^/]+')}$`);
}

/** An HTTP server in front of the API's Lambda handlers, as API Gateway would be. */
export function createApiServer(
  routes: readonly Route[],
  onError: (error: unknown) => void,
  /** Local-only routes (e.g. fault control); answers true when it handled the request. */
  local?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean,
): Server {
  const internalError = (res: ServerResponse, error: unknown) => {
    onError(error);
    if (!res.headersSent)
      json(res, 500, { error: { status: 500, type: 'internal_error', message: 'Internal Server Error' } });
    else res.destroy();
  };
  const server = createServer((req, res) => {
    // Whatever a request holds, it is answered on its own: nothing it does can stop the server.
    try {
      const path = requestUrl(req).pathname.replace(/\/+$/, '') || '/';
      if (local?.(req, res, path)) return;
      let routePath = path;
      const route = routes.find((r) => {
        if (r.path === path) return true;
        const sub = r.subPaths?.find((template) => subPathPattern(r.path, template).test(path));
        if (sub !== undefined) routePath = `${r.path}${sub}`;
        return sub !== undefined;
      });
      if (!route) {
        json(res, 404, {
          error: { status: 404, type: 'not_found', message: `no route for ${req.method} ${path}` },
        });
        req.resume();
        return;
      }
      readBody(req)
        .then(async (body) => {
          if (body === undefined) {
            json(res, 413, {
              error: { status: 413, type: 'payload_too_large', message: 'Request Entity Too Large' },
            });
            return;
          }
          const event = toApiGatewayEvent(req, body, `${req.method} ${routePath}`);
          send(res, await route.handler(event, lambdaContext(route.name)));
        })
        .catch((error: unknown) => internalError(res, error));
    } catch (error) {
      internalError(res, error);
    }
  });
  // A request Node cannot parse (an unknown method such as FOO, a malformed header) gets a JSON 400 too,
  // not Node's bare one.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({
      error: { status: 400, type: 'invalid_request', message: 'malformed HTTP request' },
    });
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}
