// Small HTTP helpers shared by the routes and the static files: headers every answer carries, JSON answers,
// bounded body reading.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ErrorBody, ErrorCode } from '../../src/share/protocol.ts';
import { API_SECURITY_HEADERS } from './security-headers.ts';

/** On every answer: the app's WASM threads need cross-origin isolation, and nothing should be sniffed. */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

/** On every API answer. Which origins may read it is decided per request (`corsHeaders`). */
export const API_HEADERS: Readonly<Record<string, string>> = {
  ...API_SECURITY_HEADERS,
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'no-store',
};

/** Reads hold no secrets and no cookies: any page may read them. */
export const READ_CORS: Readonly<Record<string, string>> = { 'Access-Control-Allow-Origin': '*' };

/**
 * May a page on `origin` change things here (create, publish, delete)? Requests without an Origin header are not
 * from a page (curl, scripts, the Node client) and are let through; a page is let through from the relay's own
 * origin (same host as the request went to) or one the operator allowed.
 */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false;
  }
}

/** `application/json`, with or without parameters: a type a page cannot send across origins without a preflight. */
export function isJsonContentType(header: string | undefined): boolean {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() === 'application/json';
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  sendText(res, status, 'application/json; charset=utf-8', JSON.stringify(body), headers);
}

/** An API answer whose body is already text (JSON serialised elsewhere, e.g. by the history worker). */
export function sendText(res: ServerResponse, status: number, contentType: string, text: string, headers: OutgoingHttpHeaders = {}): void {
  res.writeHead(status, {
    ...COMMON_HEADERS,
    ...API_HEADERS,
    ...headers,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** A CSV answer a spreadsheet opens directly: it has a header row, and a file name for browsers that save it. */
export function sendCsv(res: ServerResponse, csv: string, filename: string): void {
  res.writeHead(200, {
    ...COMMON_HEADERS,
    ...API_HEADERS,
    'Content-Type': 'text/csv; charset=utf-8; header=present',
    'Content-Disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
    'Content-Length': Buffer.byteLength(csv),
    Vary: 'Accept',
  });
  res.end(res.req.method === 'HEAD' ? undefined : csv);
}

export function sendError(
  res: ServerResponse,
  status: number,
  error: ErrorCode,
  message: string,
  headers: OutgoingHttpHeaders = {},
): void {
  const body: ErrorBody = { error, message };
  sendJson(res, status, body, headers);
}

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' };

/** Reads a request body up to `limit` bytes; past that it stops reading and reports `too_large`. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ ok: false, reason: 'too_large' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: BodyResult) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(r);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish({ ok: false, reason: 'too_large' });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish({ ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) is `1.2.3.4`. */
const plainAddress = (a: string) => (a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a).trim();

/**
 * The client's address, for per-client limits. Behind a reverse proxy every request comes from the proxy, so when the
 * peer is one of `trustedProxies` the client is the last address in `X-Forwarded-For` that is not a trusted proxy.
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string> = new Set()): string {
  const peer = plainAddress(req.socket.remoteAddress ?? 'unknown');
  const forwarded = req.headers['x-forwarded-for'];
  if (!trustedProxies.has(peer) || forwarded === undefined) return peer;
  const hops = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded).split(',').map(plainAddress).filter((a) => a !== '');
  for (const hop of hops.reverse()) if (!trustedProxies.has(hop)) return hop.slice(0, 64);
  return peer;
}

export type ClientKey = (req: IncomingMessage) => string;

/** The peer's address: for tests and callers that know there is no proxy. */
export const clientKey: ClientKey = (req) => clientAddress(req);

/** Splits a request target into path and query without letting `//host/...` forms change the path. */
export function splitTarget(target: string | undefined): { path: string; query: URLSearchParams } | null {
  if (target === undefined || !target.startsWith('/')) return null;
  const q = target.indexOf('?');
  return q < 0
    ? { path: target, query: new URLSearchParams() }
    : { path: target.slice(0, q), query: new URLSearchParams(target.slice(q + 1)) };
}
