// Real-time assignment, of one contact or of a batch, as one function from a call's input to a JSON answer, shared
// by the route handlers (Web Request/Response, used by `next dev` and `next start`) and by Facet's production
// server, which answers these hot endpoints straight from Node's request and response objects: same auth,
// limits, validation and service. A call with a cached key and model and raw traits waits on no promise but its
// body's bytes: what remains per request is the parse, the reading of the body, a map lookup and k distances.
import type http from 'node:http';
import { PEER_HEADER, clientAddress } from '@/lib/client-address';
import { requestServedOverHttps, securityHeaders } from '@/lib/security-headers';
import { ServiceError } from '@/lib/services/errors';
import { assignContactNow, assignContacts } from '@/lib/services/persona-sets';
import { bodyTooLarge, declaresMoreThan, parseJsonBytes } from './body';
import { ApiError, answerResponse, toErrorAnswer, type JsonAnswer } from './errors';
import { after, openApiCall, openApiCallNow, rateLimitHeaders, rateLimitedError, routeCallInput, type ApiCallInput, type Maybe } from './handler';
import { operations } from './operations';
import { apiRateLimiter, type RateDecision } from './rate-limit';
import { withApiSecurityHeaders } from './security';

/** the largest body of a single assignment, and of a batch */
export const MAX_ASSIGNMENT_BODY = operations.assignContact.maxBody;
export const MAX_BATCH_BODY = operations.assignContacts.maxBody;

const NO_PARAMS = new URLSearchParams();

const answerHeaders = (rate: RateDecision): Record<string, string> => {
  const h = rateLimitHeaders(rate) as Record<string, string>;
  h['cache-control'] = 'no-store';
  return h;
};

// an identity that matches nobody is not a missing persona set
const unmatchedOr = (err: unknown) =>
  err instanceof ServiceError && err.code === 'not_found' && err.message.startsWith('Nobody') ? new ApiError('unmatched', err.message) : err;

const errorOfAssignment = (err: unknown) => toErrorAnswer(unmatchedOr(err));

/** The answer to a single assignment: at once when nothing it needs is pending, else its promise (which never rejects). */
export function answerAssignContactNow(input: ApiCallInput): Maybe<JsonAnswer> {
  try {
    const answer = after(openApiCallNow(operations.assignContact, input), (call) =>
      after(assignContactNow(call.tenant, call.params.id, call.body), (body): JsonAnswer => ({ status: 200, headers: answerHeaders(call.rate), body })),
    );
    return answer instanceof Promise ? answer.catch(errorOfAssignment) : answer;
  } catch (err) {
    return errorOfAssignment(err);
  }
}

export async function answerAssignContact(input: ApiCallInput): Promise<JsonAnswer> {
  return answerAssignContactNow(input);
}

/** A contact's own error in a batch's results, as the API words it. */
const contactError = (err: unknown) => (toErrorAnswer(unmatchedOr(err)).body as { error: unknown }).error;

export async function answerAssignContacts(input: ApiCallInput): Promise<JsonAnswer> {
  try {
    const call = await openApiCall(operations.assignContacts, input);
    const { contacts } = call.body;
    let rate = call.rate;
    // the call took one token; a contact that reaches the database takes one more, as a single call would
    const costly = contacts.reduce((n, c) => n + (c.ok && (c.input.identity !== undefined || c.input.record) ? 1 : 0), 0);
    if (costly > 0) {
      rate = apiRateLimiter().take(call.caller.keyId, Date.now(), costly);
      if (!rate.ok) throw rateLimitedError(rate);
    }
    const done = await assignContacts(
      call.tenant,
      call.params.id,
      contacts.flatMap((c) => (c.ok ? [c.input] : [])),
    );
    let next = 0;
    let failed = 0;
    const results = contacts.map((c) => {
      const r = c.ok ? done[next++] : null;
      if (r?.ok) return r;
      failed++;
      return { ok: false, error: r ? contactError(r.error) : { code: 'invalid_request', message: 'The contact is invalid', ...(c.ok ? {} : { fieldErrors: c.fieldErrors }) } };
    });
    return { status: 200, headers: answerHeaders(rate), body: { personaSetId: call.params.id, assigned: contacts.length - failed, failed, results } };
  } catch (err) {
    return errorOfAssignment(err);
  }
}

/* ---------- the route handlers ---------- */

type RouteContext = { params: Promise<Record<string, string | string[]>> };

export async function assignmentRoute(request: Request, context: RouteContext): Promise<Response> {
  return withApiSecurityHeaders(request, answerResponse(await answerAssignContact(routeCallInput(request, context, operations.assignContact))));
}

export async function batchAssignmentRoute(request: Request, context: RouteContext): Promise<Response> {
  return withApiSecurityHeaders(request, answerResponse(await answerAssignContacts(routeCallInput(request, context, operations.assignContacts))));
}

/* ---------- Facet's server ---------- */

/** The paths of the endpoints, with the persona set id (other ids go through Next's routes, which answer 404). */
const ASSIGNMENT_PATH = /^\/api\/v1\/persona-sets\/([0-9a-fA-F-]{36})\/assignments(\/batch)?(?:\?.*)?$/;

const EMPTY = new Uint8Array(0);

/**
 * Reads the body's bytes, at most `limit`, and hands them to `done`; past the limit `done` gets null at once and the
 * rest is drained (so that the connection stays usable for the answer). Nothing is handed over when the client
 * goes away first.
 */
function collectNodeBody(req: http.IncomingMessage, limit: number, done: (bytes: Uint8Array | null) => void): void {
  if (declaresMoreThan(req.headers['content-length'], limit)) {
    req.resume();
    done(null);
    return;
  }
  let first: Buffer | null = null;
  let chunks: Buffer[] | null = null;
  let size = 0;
  let over = false;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > limit) {
      over = true;
      first = chunks = null;
      done(null);
    } else if (!first) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.once('end', () => {
    if (!over) done(chunks ? Buffer.concat(chunks) : (first ?? EMPTY));
  });
}

// these paths skip proxy.ts: the same headers as every other API answer, built once
const API_HEADERS = { http: securityHeaders({ kind: 'api', https: false }), https: securityHeaders({ kind: 'api', https: true }) };
const securityFor = (proto: string | undefined) => (requestServedOverHttps(proto) ? API_HEADERS.https : API_HEADERS.http);
/** without X-Forwarded-Proto the answer depends on APP_URL alone, read once at start (lib/env.ts) */
const WITHOUT_PROTO = securityFor(undefined);

function writeAnswer(req: http.IncomingMessage, res: http.ServerResponse, answer: JsonAnswer) {
  const text = JSON.stringify(answer.body);
  const proto = req.headers['x-forwarded-proto'];
  const security = proto === undefined ? WITHOUT_PROTO : securityFor(Array.isArray(proto) ? proto[0] : proto);
  res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...answer.headers, ...security });
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

/**
 * Answers `POST /api/v1/persona-sets/{id}/assignments[/batch]` from Node's request and response, once the body is in
 * (the key is still checked before the body's size and form, as the route does).
 */
function serveAssignment(req: http.IncomingMessage, res: http.ServerResponse, setId: string, batch: boolean): void {
  const h = req.headers.authorization;
  const limit = batch ? MAX_BATCH_BODY : MAX_ASSIGNMENT_BODY;
  const params = { id: setId };
  collectNodeBody(req, limit, (bytes) => {
    const input: ApiCallInput = {
      authorization: h === undefined ? null : h,
      address: () => clientAddress(nodeHeaders(req)),
      params: () => params,
      searchParams: () => NO_PARAMS,
      json: () => {
        if (!bytes) throw bodyTooLarge(limit);
        return parseJsonBytes(bytes);
      },
    };
    const answer = batch ? answerAssignContacts(input) : answerAssignContactNow(input);
    if (!(answer instanceof Promise)) return writeAnswer(req, res, answer);
    answer.then(
      (a) => writeAnswer(req, res, a),
      (err) => {
        // the answer functions answer every error themselves; this is a last resort
        console.error('[facet] assignment failed:', err);
        if (!res.headersSent) writeAnswer(req, res, toErrorAnswer(err));
        else res.end();
      },
    );
  });
}

/** Facet's server's request listener: real-time assignments answered here, every other request by `fallback` (Next). */
export function withAssignmentFastPath(fallback: (req: http.IncomingMessage, res: http.ServerResponse) => unknown): http.RequestListener {
  return (req, res) => {
    const m = req.method === 'POST' && req.url ? ASSIGNMENT_PATH.exec(req.url) : null;
    if (m) serveAssignment(req, res, m[1], m[2] !== undefined);
    else void fallback(req, res);
  };
}
