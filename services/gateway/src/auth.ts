/** Bearer-token authentication shared by the HTTP API and the live WebSocket: token → role. */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, Role } from '@vigil/core';

declare module 'fastify' {
  interface FastifyRequest {
    role?: Role;
    /** A short digest naming the token (not the token), stored with acknowledgements. */
    tokenId?: string;
  }
}

// Keyed by digest so a lookup's timing does not depend on how much of a guessed token is right.
const digest = (token: string) => createHash('sha256').update(token).digest('hex');

export class TokenAuth {
  private readonly roles = new Map<string, Role>();

  constructor(tokens: Config['gateway']['tokens']) {
    for (const t of tokens) this.roles.set(digest(t.token), t.role);
  }

  roleFor(token: string | undefined): Role | undefined {
    return token ? this.roles.get(digest(token)) : undefined;
  }

  /** The role of whoever sent these headers and URL, or undefined when the token is missing or unknown. */
  authenticate(authorization: string | undefined, url: string | undefined): Role | undefined {
    return this.roleFor(tokenFrom(authorization, url));
  }

  /** A fastify hook that answers 401 JSON unless the request carries a known token; sets `request.role`. */
  readonly requireToken = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const role = this.authenticate(request.headers.authorization, request.url);
    if (!role) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or invalid token' });
      return;
    }
    request.role = role;
    request.tokenId = tokenIdOf(tokenFrom(request.headers.authorization, request.url)!);
  };

  /**
   * A hook to run after `requireToken`: answers 403 JSON unless the caller's role is one of `roles`.
   * Roles: viewer reads, operator also acknowledges and gives feedback, admin also configures.
   */
  requireRole(action: string, ...roles: Role[]) {
    return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      if (request.role && roles.includes(request.role)) return;
      await reply.code(403).send({ error: `a ${request.role ?? 'anonymous'} token may not ${action}; it needs the role ${roles.join(' or ')}` });
    };
  }
}

/** First 16 hex digits of the token's SHA-256: tells tokens apart in the history without storing them. */
export function tokenIdOf(token: string): string {
  return digest(token).slice(0, 16);
}

/** `Authorization: Bearer <token>` wins; otherwise a single `?token=` query parameter. */
export function tokenFrom(authorization: string | undefined, url: string | undefined): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer) return bearer[1];
  const q = url?.indexOf('?') ?? -1;
  if (!url || q < 0) return undefined;
  const tokens = new URLSearchParams(url.slice(q + 1)).getAll('token');
  return tokens.length === 1 && tokens[0] ? tokens[0] : undefined;
}
