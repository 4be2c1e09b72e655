export { FrameReassembler } from './frameReassembler.js';
export { sourceFault, type SourceFault } from './sourceFault.js';
export { ReconnectPolicy, type ReconnectPolicyOptions } from './reconnectPolicy.js';
export {
  spawnRawDecode,
  encodeVideo,
  probeVideo,
  isNetworkUrl,
  type RawDecode,
  type RawDecodeOptions,
  type EncodeVideoOptions,
  type VideoInfo,
} from './ffmpeg.js';
export { decodeFrames, type DecodeOptions, type DecodedFrame } from './decodeFrames.js';
export {
  CameraSource,
  type CameraSourceOptions,
  type CameraSourceEvents,
  type CameraState,
  type CameraStateChange,
} from './cameraSource.js';
export { encodeJpeg } from './encoders.js';
export { drawBoxes, type NormalisedBox, type Rgb } from './draw.js';
export { LocalRtspServer, prepareStreamFile, type LocalRtspServerOptions, type RtspMount } from './localRtspServer.js';
export { renderHeatmap, turbo, HEATMAP_THRESHOLD_POSITION, type HeatmapOptions } from './heatmap.js';
export { IMAGE_EXTENSIONS, isImageFile, listImageFiles, imageSequenceSize, decodeImageSequence, type ImageSequenceOptions } from './imageSequence.js';
export { packYuv420, unpackYuv420, yuv420Bytes } from './yuv420.js';
