/** The autoencoder as an ensemble member: model.ts (net + error), fit.ts (training), anomalyMap.ts (post-processing). */
import { z } from 'zod';
import type { FrameSize, ScoreMap } from '@vigil/core';
import type { DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember } from '../member.js';
import { frameImage, netGrid } from '../tinyConvNet/frameImage.js';
import { defaultNetMemberParams, NetMember, netMemberParams, trainingSchedule, restoreNetArrays, withCellStats, type NetMemberParams, type NetState } from '../tinyConvNet/netMember.js';
import { importWeights } from '../tinyConvNet/weights.js';
import { errorToCells, errorToMap } from './anomalyMap.js';
import { fitAutoencoder } from './fit.js';
import { AUTOENCODER_MULTIPLE, autoencoderLayers, reconstructionError, type ReconstructionError } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export interface AutoencoderOptions extends NetMemberParams {
  /** Channels of the first encoder conv (the second has twice as many). */
  width: number;
  /** Channels of the bottleneck, at 1/4 of the net's resolution: small, so the net cannot copy what it never saw. */
  bottleneck: number;
  /** Stride-2 levels between input and bottleneck: 2 puts it at 1/4 of the net's resolution, 1 at 1/2. */
  levels: 1 | 2;
  error: ReconstructionError;
}

export const defaultAutoencoderOptions: AutoencoderOptions = {
  ...defaultNetMemberParams,
  width: 12,
  bottleneck: 6,
  levels: 2,
  error: 'l2',
  ...trainingSchedule(1000, 30, 3e-3, 4),
};

/** The saved names of its cell statistics. */
const STATS = ['errorMean', 'errorStd'] as const;

export class Autoencoder extends NetMember<AutoencoderOptions> {
  readonly name = 'autoencoder';

  constructor(params: AutoencoderOptions, frame: FrameSize, net: NetState) {
    super(params, frame, { multiple: AUTOENCODER_MULTIPLE, layers: autoencoderLayers(params.width, params.bottleneck, params.levels), statsNames: STATS }, net);
  }

  /** Per-cell reconstruction error, before standardisation. */
  cellValues(input: FrameInput): Float32Array {
    frameImage(input, this.grid, this.net.mean, this.image);
    const error = reconstructionError(this.layers, this.net.weights, this.image, this.grid, this.params.error);
    return errorToCells(error, this.grid, this.params.smooth);
  }

  protected mapOf(errors: Float32Array): ScoreMap {
    return errorToMap(errors, this.grid, this.net.stats, this.params.smooth);
  }

  exportState(): DetectorState {
    return {
      state: { layers: this.layers.length, training: this.net.training ?? null },
      arrays: this.netArrays(),
    };
  }
}

export const autoencoderKind = defineMember({
  name: 'autoencoder',
  // Training takes a minute: fit once and calibrate on held-out blocks.
  calibration: 'hold-out',
  params: {
    defaults: defaultAutoencoderOptions,
    schema: z.object({ ...netMemberParams, width: z.number().int().positive(), bottleneck: z.number().int().positive(), levels: z.union([z.literal(1), z.literal(2)]), error: z.enum(['l1', 'l2']) }),
  },
  arrays: ['mean'],
  async fit(frames, p, frame) {
    const fitted = await fitAutoencoder(frames, autoencoderLayers(p.width, p.bottleneck, p.levels), netGrid(frame, AUTOENCODER_MULTIPLE), p);
    const net = { weights: fitted.weights, mean: fitted.mean, training: fitted.report };
    // The error each cell shows on the training frames, through the very scoring path, sets its scale.
    return withCellStats(new Autoencoder(p, frame, { ...net, stats: null }), frames, fitted.frames, (stats) => new Autoencoder(p, frame, { ...net, stats }));
  },
  restore(arrays, p, frame) {
    const weights = importWeights('autoencoder', 'w', autoencoderLayers(p.width, p.bottleneck, p.levels), arrays);
    return new Autoencoder(p, frame, { weights, ...restoreNetArrays('autoencoder', arrays, STATS, p, frame, AUTOENCODER_MULTIPLE) });
  },
});
