/** The gateway's HTTP API as the page uses it; every call carries the operator's token. */
import type { CameraInfo, ReviewSummary, ScoreTimeline, StoredAlert, Verdict } from '../types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    readonly token: string,
    private readonly base = '',
  ) {}

  /** An absolute URL for a gateway path that the browser loads by itself (img, iframe): the token goes in the query. */
  withToken(path: string): string {
    const u = new URL(path, location.origin);
    u.searchParams.set('token', this.token);
    return u.pathname + u.search;
  }

  wsUrl(path: string): string {
    const u = new URL(path, location.origin);
    u.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    u.searchParams.set('token', this.token);
    return u.toString();
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) throw new ApiError(res.status, (json as { error?: string } | undefined)?.error ?? `HTTP ${res.status}`);
    return json as T;
  }

  cameras(): Promise<{ cameras: CameraInfo[] }> {
    return this.call('GET', '/v1/cameras');
  }

  alerts(q: { camera?: string; state?: string; limit?: number } = {}): Promise<{ alerts: StoredAlert[]; nextCursor: string | null }> {
    const p = new URLSearchParams();
    if (q.camera) p.set('camera', q.camera);
    if (q.state) p.set('state', q.state);
    p.set('limit', String(q.limit ?? 100));
    return this.call('GET', `/v1/alerts?${p}`);
  }

  alertsSince(camera: string, fromIso: string): Promise<{ alerts: StoredAlert[] }> {
    const p = new URLSearchParams({ camera, from: fromIso, limit: '200' });
    return this.call('GET', `/v1/alerts?${p}`);
  }

  ack(id: string, note?: string): Promise<{ alert: StoredAlert }> {
    return this.call('POST', `/v1/alerts/${encodeURIComponent(id)}/ack`, note ? { note } : {});
  }

  feedback(id: string, verdict: Verdict): Promise<{ alert: StoredAlert }> {
    return this.call('POST', `/v1/alerts/${encodeURIComponent(id)}/feedback`, { verdict });
  }

  scores(camera: string, minutes = 60): Promise<ScoreTimeline> {
    return this.call('GET', `/v1/cameras/${encodeURIComponent(camera)}/scores?minutes=${minutes}`);
  }

  reviews(): Promise<{ reviews: ReviewSummary[] }> {
    return this.call('GET', '/v1/reviews');
  }

  startReview(file: string, camera: string): Promise<{ id: string; state: string }> {
    return this.call('POST', '/v1/reviews', { file, camera });
  }
}
