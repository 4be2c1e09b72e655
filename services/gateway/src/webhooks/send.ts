/** One HTTP POST of a signed webhook to a vetted address: status and `retry-after`, or a network error. */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedTarget } from './targetGuard.js';
import type { WebhookHeaders } from './signature.js';

export const USER_AGENT = 'vigil-webhooks/0.1.0';
export const DEFAULT_TIMEOUT_MS = 15_000;

export interface PostResult {
  status: number;
  retryAfter: string | undefined;
}

/** POSTs `body`; connects to `target.address` whatever DNS says now (the host name still goes in Host and TLS SNI). */
export function postWebhook(target: ResolvedTarget, headers: WebhookHeaders, body: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<PostResult> {
  const pinned: LookupFunction = (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const request = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve, reject) => {
    const req = request(
      target.url,
      {
        method: 'POST',
        lookup: pinned,
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': USER_AGENT,
        },
      },
      (res: IncomingMessage) => {
        const header = res.headers['retry-after'];
        // The reply body is not used; drain it so the socket is freed.
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(header) ? header[0] : header }));
        res.on('error', (err: NodeJS.ErrnoException) => reject(networkError(err, timeoutMs)));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => reject(networkError(err, timeoutMs)));
    req.end(body);
  });
}

function networkError(err: NodeJS.ErrnoException, timeoutMs: number): Error {
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return new Error(`no complete reply within ${timeoutMs / 1000} s`);
  return new Error(err.code && !err.message.includes(err.code) ? `${err.code} ${err.message}` : err.message);
}
