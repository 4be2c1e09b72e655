/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, spec "Signature scheme"):
 * v1 = base64(HMAC-SHA256(key = base64-decoded secret after "whsec_", "${id}.${timestamp}.${body}")).
 */
import { createHmac } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error(`webhook secret must start with "${SECRET_PREFIX}"`);
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty after "whsec_"');
  return key;
}

/** The bare signature (without the "v1," prefix). */
export function signPayload(secret: string, id: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
}

/** The three headers of one attempt; the timestamp is the attempt's, so receivers can reject replays. */
export function signedHeaders(secret: string, id: string, body: string, now = Date.now()): WebhookHeaders {
  const timestamp = Math.floor(now / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signPayload(secret, id, timestamp, body)}`,
  };
}
