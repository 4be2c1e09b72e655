/** Bearer-token authentication shared by the HTTP API and the live WebSocket: token → role. */
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config, Role } from '@vigil/core';

declare module 'fastify' {
  interface FastifyRequest {
    role?: Role;
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
  };
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
