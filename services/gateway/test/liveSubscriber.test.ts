import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { AlertEvent } from '@vigil/core';
import type { StreamedAlert } from '../src/alertStream.js';
import { LiveSubscriber, type DropReason } from '../src/liveSubscriber.js';

/** Just enough of a ws socket to watch what a LiveSubscriber sends. */
function fakeSocket() {
  const sent: string[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 0,
    send: (text: string) => void sent.push(text),
    terminate() {
      socket.readyState = WebSocket.CLOSED;
    },
  };
  return { socket, sent, ids: () => sent.map((s) => (JSON.parse(s) as AlertEvent).eventId) };
}

function alert(eventId: string, cameraId = 'cam1'): StreamedAlert {
  const event = { type: 'alert', event: 'open', eventId, alert: { cameraId } } as AlertEvent;
  return { event, message: JSON.stringify(event) };
}

function clientOn(socket: ReturnType<typeof fakeSocket>['socket'], drops: DropReason[] = []) {
  return new LiveSubscriber(
    socket as unknown as WebSocket,
    'viewer',
    { maxBufferedBytes: 1000, maxPendingEvents: 100 },
    {
      pushed: () => undefined,
      dropped: (reason) => void drops.push(reason),
    },
  );
}

describe('LiveSubscriber', () => {
  it('holds live events during a replay and sends each id once, in order', async () => {
    const { socket, ids } = fakeSocket();
    const client = clientOn(socket);
    async function* replay() {
      yield alert('1-1');
      client.offer(alert('1-2')); // live copy of an event the replay also holds
      client.offer(alert('1-3'));
      yield alert('1-2');
    }
    await client.subscribe(null, '1-0', replay);
    client.offer(alert('1-3'));
    client.offer(alert('1-4'));
    expect(ids()).toEqual(['1-1', '1-2', '1-3', '1-4']);
  });

  it('never sends an id at or before the last one sent', () => {
    const { socket, ids } = fakeSocket();
    const client = clientOn(socket);
    client.offer(alert('5-0'));
    client.offer(alert('4-9'));
    client.offer(alert('5-0'));
    client.offer(alert('10-0'));
    expect(ids()).toEqual(['5-0', '10-0']);
  });

  it('drops a client whose socket buffer has grown past the limit', () => {
    const { socket, ids } = fakeSocket();
    const drops: DropReason[] = [];
    const client = clientOn(socket, drops);
    client.offer(alert('1-0'));
    socket.bufferedAmount = 5000;
    client.offer(alert('2-0'));
    expect(ids()).toEqual(['1-0']);
    expect(drops).toEqual(['slow_consumer']);
    expect(socket.readyState).toBe(WebSocket.CLOSED);
  });
});
