/** Answers a refused WebSocket upgrade with a plain HTTP error, as `/v1/live` does. */
import type { Duplex } from 'node:stream';

export function refuseUpgrade(socket: Duplex, status: 400 | 401 | 404 | 503, error: string): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 503: 'Service Unavailable' }[status];
  const body = JSON.stringify({ error });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${status === 401 ? 'WWW-Authenticate: Bearer\r\n' : ''}Connection: close\r\n\r\n${body}`,
  );
}
