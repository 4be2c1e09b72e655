/**
 * The full-rate view of one camera: MPEG-1 over the gateway's `/v1/stream/<camera>` WebSocket, decoded by
 * jsmpeg (bundled, loaded on first use). This is the only view that makes the gateway open a camera
 * session; it closes when the last viewer leaves.
 */
import { h } from '../dom.js';
import type { JSMpegPlayer } from '@cycjimmy/jsmpeg-player';

export async function openFullRateView(name: string, url: string): Promise<void> {
  const canvas = h('canvas', { class: 'full-rate-canvas' });
  const status = h('span', { class: 'muted' }, 'connecting to the camera…');
  let player: JSMpegPlayer | undefined;
  const close = () => {
    player?.destroy();
    dialog.remove();
    document.removeEventListener('keydown', onKey);
  };
  const onKey = (e: KeyboardEvent) => e.key === 'Escape' && close();
  const dialog = h(
    'div',
    { class: 'modal', role: 'dialog', 'aria-label': `full-rate view of ${name}` },
    h('div', { class: 'modal-body' }, h('header', {}, h('h2', {}, `${name} — full rate`), status, h('button', { type: 'button', class: 'close', onclick: close }, 'Close')), canvas),
  );
  document.addEventListener('keydown', onKey);
  document.body.append(dialog);
  const { default: JSMpeg } = await import('@cycjimmy/jsmpeg-player');
  if (!dialog.isConnected) return;
  player = new JSMpeg.Player(url, {
    canvas,
    audio: false,
    autoplay: true,
    videoBufferSize: 2 * 1024 * 1024,
    onSourceEstablished: () => (status.textContent = 'live'),
    onVideoDecode: () => (canvas.dataset.decoded = String(Number(canvas.dataset.decoded ?? 0) + 1)),
  });
}
