/** Deep SVDD as an ensemble member: model.ts (net, centre, distance), fit.ts (training), anomalyMap.ts (post-processing). */
import { z } from 'zod';
import { ModelError, type FrameSize, type ScoreMap } from '@vigil/core';
import type { DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember } from '../member.js';
import { frameImage, netGrid } from '../tinyConvNet/frameImage.js';
import { defaultNetMemberParams, NetMember, netMemberParams, trainingSchedule, restoreNetArrays, withCellStats, type NetMemberParams, type NetState } from '../tinyConvNet/netMember.js';
import { importWeights } from '../tinyConvNet/weights.js';
import { distancesToCells, distancesToMap } from './anomalyMap.js';
import { fitDeepSvdd, type DeepSvddFitParams } from './fit.js';
import { centreDistances, DEEP_SVDD_MULTIPLE, deepSvddLayers } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export interface DeepSvddOptions extends DeepSvddFitParams, NetMemberParams {
  /** Channels of the hidden convs. */
  width: number;
}

export const defaultDeepSvddOptions: DeepSvddOptions = {
  ...defaultNetMemberParams,
  width: 12,
  dims: 8,
  weightDecay: 1e-3,
  centreEps: 0.1,
  ...trainingSchedule(1000, 30, 1e-3, 4),
};

const STATS = ['distanceMean', 'distanceStd'] as const;

export class DeepSvdd extends NetMember<DeepSvddOptions> {
  readonly name = 'deepSvdd';

  constructor(
    params: DeepSvddOptions,
    frame: FrameSize,
    net: NetState,
    readonly centre: Float32Array,
  ) {
    super(params, frame, { multiple: DEEP_SVDD_MULTIPLE, layers: deepSvddLayers(params.width, params.dims), statsNames: STATS }, net);
    if (centre.length !== params.dims) throw new ModelError(`deepSvdd centre has ${centre.length} dimensions, expected ${params.dims}`);
  }

  /** ‖φ − c‖² per cell, before standardisation. */
  cellValues(input: FrameInput): Float32Array {
    frameImage(input, this.grid, this.net.mean, this.image);
    return distancesToCells(centreDistances(this.layers, this.net.weights, this.centre, this.image, this.grid), this.grid);
  }

  protected mapOf(distances: Float32Array): ScoreMap {
    return distancesToMap(distances, this.grid, this.net.stats, this.params.smooth);
  }

  exportState(): DetectorState {
    return {
      state: { training: this.net.training ?? null },
      arrays: { centre: this.centre, ...this.netArrays() },
    };
  }
}

export const deepSvddKind = defineMember({
  name: 'deepSvdd',
  // Training takes a minute: fit once and calibrate on held-out blocks.
  calibration: 'hold-out',
  params: {
    defaults: defaultDeepSvddOptions,
    schema: z.object({ ...netMemberParams, width: z.number().int().positive(), dims: z.number().int().positive(), weightDecay: z.number().min(0), centreEps: z.number().min(0) }),
  },
  arrays: ['centre', 'mean'],
  async fit(frames, p, frame) {
    const fitted = await fitDeepSvdd(frames, deepSvddLayers(p.width, p.dims), netGrid(frame, DEEP_SVDD_MULTIPLE), p);
    const net = { weights: fitted.weights, mean: fitted.mean, training: fitted.report };
    return withCellStats(new DeepSvdd(p, frame, { ...net, stats: null }, fitted.centre), frames, fitted.frames, (stats) => new DeepSvdd(p, frame, { ...net, stats }, fitted.centre));
  },
  restore(arrays, p, frame) {
    if (arrays.centre.length !== p.dims) throw new ModelError(`deepSvdd state lacks its ${p.dims}-dimensional centre (found ${arrays.centre.length} values)`);
    const weights = importWeights('deepSvdd', 'w', deepSvddLayers(p.width, p.dims), arrays);
    return new DeepSvdd(p, frame, { weights, ...restoreNetArrays('deepSvdd', arrays, STATS, p, frame, DEEP_SVDD_MULTIPLE) }, arrays.centre);
  },
});
