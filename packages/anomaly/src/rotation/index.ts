/** Rotation prediction as an ensemble member: model.ts (classifier, rotations, score), fit.ts (training), anomalyMap.ts (post-processing). */
import { z } from 'zod';
import type { FrameSize, ScoreMap } from '@vigil/core';
import type { DetectorState } from '../detector.js';
import type { FrameInput } from '../frameInput.js';
import { defineMember } from '../member.js';
import { frameImage, netGrid } from '../tinyConvNet/frameImage.js';
import { defaultNetMemberParams, NetMember, netMemberParams, trainingSchedule, restoreNetArrays, withCellStats, type NetMemberParams, type NetState } from '../tinyConvNet/netMember.js';
import { importWeights } from '../tinyConvNet/weights.js';
import { confidenceToCells, rotationMap } from './anomalyMap.js';
import { fitRotation } from './fit.js';
import { ROTATION_MULTIPLE, rotationLayers, trueRotationConfidence } from './model.js';

export * from './model.js';
export * from './fit.js';
export * from './anomalyMap.js';

export interface RotationOptions extends NetMemberParams {
  /** Channels of the first conv (the others have twice as many). */
  width: number;
}

export const defaultRotationOptions: RotationOptions = {
  ...defaultNetMemberParams,
  width: 8,
  ...trainingSchedule(1200, 40, 3e-3, 5),
};

const STATS = ['scoreMean', 'scoreStd'] as const;

export class Rotation extends NetMember<RotationOptions> {
  readonly name = 'rotation';

  constructor(params: RotationOptions, frame: FrameSize, net: NetState) {
    super(params, frame, { multiple: ROTATION_MULTIPLE, layers: rotationLayers(params.width), statsNames: STATS }, net);
  }

  /** 1 − mean true-rotation confidence per cell, before standardisation. */
  cellValues(input: FrameInput): Float32Array {
    frameImage(input, this.grid, this.net.mean, this.image);
    return confidenceToCells(trueRotationConfidence(this.layers, this.net.weights, this.image, this.grid), this.grid);
  }

  protected mapOf(values: Float32Array): ScoreMap {
    return rotationMap(values, this.grid, this.net.stats, this.params.smooth);
  }

  exportState(): DetectorState {
    return {
      state: { training: this.net.training ?? null },
      arrays: this.netArrays(),
    };
  }
}

export const rotationKind = defineMember({
  name: 'rotation',
  // Training takes a minute: fit once and calibrate on held-out blocks.
  calibration: 'hold-out',
  params: { defaults: defaultRotationOptions, schema: z.object({ ...netMemberParams, width: z.number().int().positive() }) },
  arrays: ['mean'],
  async fit(frames, p, frame) {
    const fitted = await fitRotation(frames, rotationLayers(p.width), netGrid(frame, ROTATION_MULTIPLE), p);
    const net = { weights: fitted.weights, mean: fitted.mean, training: fitted.report };
    return withCellStats(new Rotation(p, frame, { ...net, stats: null }), frames, fitted.frames, (stats) => new Rotation(p, frame, { ...net, stats }));
  },
  restore(arrays, p, frame) {
    const weights = importWeights('rotation', 'w', rotationLayers(p.width), arrays);
    return new Rotation(p, frame, { weights, ...restoreNetArrays('rotation', arrays, STATS, p, frame, ROTATION_MULTIPLE) });
  },
});
