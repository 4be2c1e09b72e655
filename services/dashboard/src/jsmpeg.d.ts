// @cycjimmy/jsmpeg-player ships no types; this is the part of its API the full-rate view uses.
declare module '@cycjimmy/jsmpeg-player' {
  export interface JSMpegPlayer {
    destroy(): void;
  }
  interface JSMpegStatic {
    Player: new (
      url: string,
      options: { canvas: HTMLCanvasElement; audio?: boolean; autoplay?: boolean; disableGl?: boolean; videoBufferSize?: number; onSourceEstablished?: () => void; onVideoDecode?: () => void },
    ) => JSMpegPlayer;
  }
  const JSMpeg: JSMpegStatic;
  export default JSMpeg;
}
