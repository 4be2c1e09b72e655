/**
 * SSRF guard: a webhook URL must resolve only to public addresses, unless its endpoint sets
 * `allowPrivateNetwork`. The request then goes to the vetted address (pinned), so a DNS answer that
 * changes between the check and the connect (rebinding) cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { ConfigError, type Logger } from '@vigil/core';
import { TargetRefusedError } from './errors.js';

/** Names for ipaddr.js's special ranges, as an operator reads them in an error. */
const KIND: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
  carrierGradeNat: 'carrier-grade NAT',
  private: 'private',
  uniqueLocal: 'unique local',
  deprecatedSiteLocal: 'site-local',
  teredo: 'Teredo tunnel',
  benchmarking: 'benchmarking',
  discard: 'discard',
};

/** Ranges whose address carries an IPv4 address that decides: mapped, translated (SIIT, NAT64) and 6to4. */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const b = address.toByteArray();
  switch (address.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return new ipaddr.IPv4(b.slice(12, 16));
    case '6to4':
      return new ipaddr.IPv4(b.slice(2, 6));
    default:
      return undefined;
  }
}

/**
 * Why `address` may not be a webhook target ("loopback", "private", "benchmarking"…), or undefined for
 * a public unicast address. Only ipaddr.js's `unicast` range passes, in every spelling of IPv6 (mapped,
 * translated, 6to4 and IPv4-compatible forms are judged by the IPv4 address they carry; Teredo is refused).
 */
export function refusedKind(address: string): string | undefined {
  const bare = address.split('%')[0]!;
  if (!ipaddr.isValid(bare) || !isIP(bare)) return 'not an IP address';
  const parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6') {
    const v4 = embeddedIpv4(parsed as ipaddr.IPv6);
    if (v4) return refusedKind(v4.toString());
  }
  const range = parsed.range();
  return range === 'unicast' ? undefined : (KIND[range] ?? 'reserved');
}

export interface ResolvedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

/** Resolves the URL's host; throws TargetRefusedError naming the address and its kind when any answer is refused. */
export async function resolveTarget(rawUrl: string, allowPrivateNetwork: boolean): Promise<ResolvedTarget> {
  const url = new URL(rawUrl);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let answers: Array<{ address: string; family: number }>;
  if (isIP(host)) answers = [{ address: host, family: isIP(host) }];
  else {
    try {
      answers = await lookup(host, { all: true, verbatim: true });
    } catch (err) {
      throw new Error(`cannot resolve ${host}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  if (answers.length === 0) throw new Error(`cannot resolve ${host}: no addresses`);
  if (!allowPrivateNetwork) {
    // Every answer is vetted, not just the first: a host with one public and one private record is refused.
    for (const a of answers) {
      const kind = refusedKind(a.address);
      if (kind) {
        throw new TargetRefusedError(`refused webhook target ${url.host}: ${a.address} is a ${kind} address (set allowPrivateNetwork: true on the endpoint to allow it)`);
      }
    }
  }
  const first = answers[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * Checks every endpoint's target when the gateway starts, so a refused target is a startup error naming
 * the endpoint rather than a log line per event later. A host that does not resolve now is only warned
 * about (DNS may come up later); each delivery is checked again anyway.
 */
export async function vetWebhookTargets(endpoints: readonly { id: string; url: string; allowPrivateNetwork: boolean }[], log: Logger): Promise<void> {
  for (const ep of endpoints) {
    if (ep.allowPrivateNetwork) continue;
    try {
      await resolveTarget(ep.url, false);
    } catch (err) {
      if (err instanceof TargetRefusedError) throw new ConfigError(`webhooks: endpoint "${ep.id}": ${err.message}`);
      log.warn('webhook target does not resolve now; it is checked again at each delivery', { endpoint: ep.id, error: (err as Error).message });
    }
  }
}
