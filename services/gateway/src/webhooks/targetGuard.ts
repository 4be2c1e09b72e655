/**
 * SSRF guard: a webhook URL must resolve only to public addresses, unless its endpoint sets
 * `allowPrivateNetwork`. The request then goes to the vetted address (pinned), so a DNS answer that
 * changes between the check and the connect (rebinding) cannot redirect it.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TargetRefusedError } from './errors.js';

interface Range {
  bytes: number[];
  prefix: number;
  kind: string;
}

const v4 = (cidr: string, kind: string): Range => {
  const [ip, prefix] = cidr.split('/') as [string, string];
  return { bytes: ip.split('.').map(Number), prefix: Number(prefix), kind };
};

const V4_REFUSED: Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.168.0.0/16', 'private'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

function inRange(bytes: number[], range: Range): boolean {
  let bits = range.prefix;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** 16 bytes of an IPv6 address (zone id dropped, embedded dotted quad allowed). */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const b = quad[1]!.split('.').map(Number);
    text = `${text.slice(0, -quad[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const parse = (s: string) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** Why `address` may not be a webhook target ("loopback", "private"…), or undefined for a public address. */
export function refusedKind(address: string): string | undefined {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return V4_REFUSED.find((r) => inRange(address.split('.').map(Number), r))?.kind;
  if (family !== 6) return 'not an IP address';
  const b = ipv6Bytes(address);
  const zeroUpTo = (n: number) => b.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(16)) return 'unspecified';
  if (zeroUpTo(15) && b[15] === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address that decides.
  const mapped = zeroUpTo(10) && b[10] === 0xff && b[11] === 0xff;
  const nat64 = b[0] === 0x00 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && b.slice(4, 12).every((x) => x === 0);
  if (mapped || nat64) return refusedKind(b.slice(12).join('.'));
  if ((b[0]! & 0xfe) === 0xfc) return 'unique local';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local';
  if (b[0] === 0xff) return 'multicast';
  return undefined;
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
        throw new TargetRefusedError(
          `refused webhook target ${url.host}: ${a.address} is a ${kind} address (set allowPrivateNetwork: true on the endpoint to allow it)`,
        );
      }
    }
  }
  const first = answers[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
