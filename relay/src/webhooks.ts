// Webhook deliveries: the signature, the guard against requests into the relay's own network (SSRF), one POST, and
// the retry schedule. The signature scheme is the one in the README ("For operators"):
//
//   X-Lotwatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// A receiver recomputes it over the raw body and refuses a `t` more than five minutes away from its own clock.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { lookup } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export const SIGNATURE_HEADER = 'X-Lotwatch-Signature';
/** Replays older than this are refused by `verifySignature`. */
export const SIGNATURE_TOLERANCE_S = 300;

export function sign(secret: string, unixSeconds: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** What a receiver does: true when the header signs this raw body with this secret, recently enough. */
export function verifySignature(secret: string, header: string | undefined, body: string, nowMs: number, toleranceS = SIGNATURE_TOLERANCE_S): boolean {
  const m = header === undefined ? null : /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const t = Number(m[1]);
  if (Math.abs(nowMs / 1000 - t) > toleranceS) return false;
  const expected = Buffer.from(sign(secret, t, body).slice(-64), 'hex');
  return timingSafeEqual(expected, Buffer.from(m[2]!, 'hex'));
}

export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64url')}`;
export const newId = (prefix: string): string => `${prefix}_${randomBytes(9).toString('base64url')}`;

// ---------------------------------------------------------------------------------------------------------------
// SSRF: a webhook must not make the relay reach into its own host or network unless the operator says so.

const notPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) notPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b:1::', 48]] as const) {
  notPublic.addSubnet(net, bits, 'ipv6');
}

/** Loopback, private, link-local, carrier-grade NAT, multicast or reserved: anything but the public internet. */
export function isPrivateAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return notPublic.check(ip, 'ipv4');
  if (family !== 6) return true;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is the IPv4 address underneath.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return mapped ? notPublic.check(mapped[1]!, 'ipv4') : notPublic.check(ip, 'ipv6');
}

/** Checks a webhook URL's form (http or https, no credentials); the address is checked when connecting. */
export function checkWebhookUrl(raw: unknown): { ok: true; url: URL } | { ok: false; error: string } {
  if (typeof raw !== 'string' || raw.length > 2000) return { ok: false, error: 'url: expected an http:// or https:// URL of at most 2000 characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, error: 'url: not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, error: 'url: only http:// and https:// webhooks are supported' };
  if (url.username || url.password) return { ok: false, error: 'url: put no credentials in the URL; deliveries are signed instead' };
  return { ok: true, url };
}

export class RefusedTarget extends Error {}

/** Resolves the host as the request will, and refuses a private target unless allowed. */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<void> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const addresses = isIP(host) ? [host] : await new Promise<string[]>((ok, fail) =>
    lookup(host, { all: true }, (e, list) => (e ? fail(new Error(`cannot resolve ${host}: ${e.code ?? e.message}`)) : ok(list.map((a) => a.address)))),
  );
  const bad = addresses.find(isPrivateAddress);
  if (bad !== undefined && !allowPrivate) {
    throw new RefusedTarget(`${host} is a loopback or private address (${bad}); the relay's operator must allow private webhook targets`);
  }
}

/** A `lookup` for http.request that refuses private addresses at connect time too (no DNS rebinding in between). */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 4);
      const list = addresses as unknown as { address: string; family: number }[];
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (bad && !allowPrivate) return callback(new RefusedTarget(`${hostname} resolved to a private address (${bad.address})`), '', 4);
      if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}

export interface PostResult {
  status: number | null;
  error: string | null;
  /** The target is not allowed (a private address): retrying cannot help. */
  refused?: true;
}

/** One POST of a JSON body; never throws. */
export function postJson(url: URL, body: string, headers: Record<string, string>, o: { allowPrivate: boolean; timeoutMs: number }): Promise<PostResult> {
  return resolveTarget(url, o.allowPrivate).then(
    () =>
      new Promise<PostResult>((resolve) => {
        const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
        const req = request(
          url,
          {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'User-Agent': 'lotwatch-relay', ...headers },
            lookup: guardedLookup(o.allowPrivate),
            timeout: o.timeoutMs,
          },
          (res: IncomingMessage) => {
            // The answer's body is not needed; drain it so the socket is freed.
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? null, error: null }));
            res.on('error', () => resolve({ status: res.statusCode ?? null, error: null }));
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no answer within ${o.timeoutMs} ms`)));
        req.on('error', (e: NodeJS.ErrnoException) =>
          resolve(e instanceof RefusedTarget ? { status: null, error: e.message, refused: true } : { status: null, error: e.code ? `${e.code}: ${e.message}` : e.message }),
        );
        req.end(body);
      }),
    (e: unknown) => ({ status: null, error: e instanceof Error ? e.message : String(e), ...(e instanceof RefusedTarget ? { refused: true as const } : {}) }),
  );
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Delay before the second attempt; each next one doubles it. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 5_000 };

/** Whether an answer is worth retrying: no answer, a server error, 408 or 429. Other 4xx will not change. */
export const retryable = (r: PostResult): boolean =>
  !r.refused && (r.status === null || r.status >= 500 || r.status === 408 || r.status === 429);

/** Delay before attempt `n + 1` after attempt `n` failed (n from 1), or null when attempts are used up. */
export function retryDelay(policy: RetryPolicy, attempt: number): number | null {
  return attempt >= policy.attempts ? null : policy.baseDelayMs * 2 ** (attempt - 1);
}
