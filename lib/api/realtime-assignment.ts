// Real-time assignment as one function from a call's input to a JSON answer, shared by the route handler (Web
// Request/Response, used by `next dev` and `next start`) and by Facet's production server, which answers this
// hot endpoint straight from Node's request and response objects: same auth, limit, validation and service.
import type http from 'node:http';
import { PEER_HEADER, clientAddress } from '@/lib/client-address';
import { requestServedOverHttps, securityHeaders } from '@/lib/security-headers';
import { ServiceError } from '@/lib/services/errors';
import { assignContact } from '@/lib/services/persona-sets';
import { bodyTooLarge, declaresMoreThan, parseJsonBytes } from './body';
import { ApiError, answerResponse, toErrorAnswer, type JsonAnswer } from './errors';
import { openApiCall, rateLimitHeaders, routeCallInput, type ApiCallInput } from './handler';
import { operations } from './operations';
import { withApiSecurityHeaders } from './security';

/** the largest body an assignment takes */
export const MAX_ASSIGNMENT_BODY = operations.assignContact.maxBody;

const tooLarge = () => bodyTooLarge(MAX_ASSIGNMENT_BODY);
const NO_PARAMS = new URLSearchParams();

export async function answerAssignContact(input: ApiCallInput): Promise<JsonAnswer> {
  try {
    const call = await openApiCall(operations.assignContact, input);
    try {
      const result = await assignContact(call.tenant, call.params.id, call.body);
      return { status: 200, headers: { 'cache-control': 'no-store', ...rateLimitHeaders(call.rate) }, body: result };
    } catch (err) {
      // an identity that matches nobody is not a missing persona set
      if (err instanceof ServiceError && err.code === 'not_found' && err.message.startsWith('Nobody')) throw new ApiError('unmatched', err.message);
      throw err;
    }
  } catch (err) {
    return toErrorAnswer(err);
  }
}

/* ---------- the route handler ---------- */

export async function assignmentRoute(request: Request, context: { params: Promise<Record<string, string | string[]>> }): Promise<Response> {
  return withApiSecurityHeaders(request, answerResponse(await answerAssignContact(routeCallInput(request, context, operations.assignContact))));
}

/* ---------- Facet's server ---------- */

/** The path of the endpoint, with the persona set id (other ids go through Next's route, which answers 404). */
const ASSIGNMENT_PATH = /^\/api\/v1\/persona-sets\/([0-9a-fA-F-]{36})\/assignments(?:\?.*)?$/;

const EMPTY = new Uint8Array(0);

function readNodeBytes(req: http.IncomingMessage): Promise<Uint8Array> {
  if (declaresMoreThan(req.headers['content-length'], MAX_ASSIGNMENT_BODY)) {
    req.resume(); // discarded, so that the connection stays usable for the answer
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    let first: Buffer | null = null;
    let chunks: Buffer[] | null = null;
    let size = 0;
    let settled = false;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ASSIGNMENT_BODY) {
        settled = true;
        req.off('data', onData);
        req.resume(); // drain the rest, so that the connection stays usable for the answer
        reject(tooLarge());
      } else if (!first) first = chunk;
      else (chunks ??= [first]).push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(chunks ? Buffer.concat(chunks) : (first ?? EMPTY));
    });
    const fail = (err?: Error) => {
      if (settled) return;
      settled = true;
      reject(err ?? new Error('the request was aborted'));
    };
    req.once('error', fail);
    req.once('close', () => fail()); // after 'end' on every request; before it only when the client went away
  });
}

// this path skips proxy.ts: the same headers as every other API answer, built once
const API_HEADERS = { http: securityHeaders({ kind: 'api', https: false }), https: securityHeaders({ kind: 'api', https: true }) };

function apiSecurityHeaders(req: http.IncomingMessage): Record<string, string> {
  const proto = req.headers['x-forwarded-proto'];
  const https = requestServedOverHttps(Array.isArray(proto) ? proto[0] : proto);
  return https ? API_HEADERS.https : API_HEADERS.http;
}

function writeAnswer(req: http.IncomingMessage, res: http.ServerResponse, answer: JsonAnswer) {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
    ...apiSecurityHeaders(req),
  });
  res.end(text);
}

/** The two headers the client address is read from, of a Node request. */
const nodeHeaders = (req: http.IncomingMessage): Headers => {
  const h = new Headers();
  for (const name of [PEER_HEADER, 'x-forwarded-for']) {
    const v = req.headers[name];
    if (v !== undefined) h.set(name, Array.isArray(v) ? v.join(', ') : v);
  }
  return h;
};

/** Answers `POST /api/v1/persona-sets/{id}/assignments` from Node's request and response. */
function serveAssignment(req: http.IncomingMessage, res: http.ServerResponse, setId: string): Promise<void> {
  const h = req.headers.authorization;
  return answerAssignContact({
    authorization: h === undefined ? null : h,
    address: clientAddress(nodeHeaders(req)),
    params: async () => ({ id: setId }),
    searchParams: () => NO_PARAMS,
    json: async () => parseJsonBytes(await readNodeBytes(req)),
  }).then(
    (answer) => writeAnswer(req, res, answer),
    (err) => {
      // answerAssignContact answers every error itself; this is a last resort
      console.error('[facet] assignment failed:', err);
      if (!res.headersSent) writeAnswer(req, res, toErrorAnswer(err));
      else res.end();
    },
  );
}

/** Facet's server's request listener: real-time assignments answered here, every other request by `fallback` (Next). */
export function withAssignmentFastPath(fallback: (req: http.IncomingMessage, res: http.ServerResponse) => unknown): http.RequestListener {
  return (req, res) => {
    const m = req.method === 'POST' && req.url ? ASSIGNMENT_PATH.exec(req.url) : null;
    if (m) void serveAssignment(req, res, m[1]);
    else void fallback(req, res);
  };
}
