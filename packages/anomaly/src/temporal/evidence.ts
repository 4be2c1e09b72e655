/**
 * Temporal evidence: each cell's normalised score accumulated over the last seconds, so a region that
 * stays moderately anomalous (a far vehicle standing in a lane, 0.7 for five seconds) adds up to an
 * alert while one wild frame does not. A leaky integrator of the excess over a floor, capped per frame
 * (in the spirit of Page's CUSUM, "Continuous inspection schemes", Biometrika 1954, with a leak in place
 * of the reset):
 *   E_c(T) = Σ_{frames s ≤ T} e^{−(T − s)/τ} · min(max(m_c(s) − floor, 0), cap − floor) · Δ,
 * Δ the camera's frame interval. A sum of decayed terms does not depend on the order frames are folded
 * in, so workers scoring one camera's frames concurrently and out of order reach the same state; a late
 * frame adds its term decayed to the newest time. The accumulated map is
 *   A_c = max(m_c, [m_c ≥ floor] · E_c / h_E) / h_A:
 * evidence counts only while its cell is still above the floor, so it does not outlast what it saw (on
 * UCSD Ped1 a tail of a few seconds after each anomaly was most of what it added in false positives).
 * h_E and h_A are calibrated on held-out normal footage run through this same stage (cameraModel.ts):
 * both the instantaneous and the accumulated route keep the camera's false-positive target.
 */
import type { ScoreMap } from '@vigil/core';

export interface TemporalParams {
  /** Time constant of the leak, seconds: evidence older than a few τ is forgotten. */
  seconds: number;
  /** Normalised cell score above which a frame adds evidence. */
  floor: number;
  /** Most one frame counts for (normalised), so a single extreme frame adds little. */
  cap: number;
  /**
   * Hysteresis, as an alarm holds: for `holdSeconds` after a cell crossed the threshold, the cells within
   * `holdCells` of it are judged against `holdLevel` of the threshold (their scores divided by it), and a
   * cell crossing so holds on — so an object stays found while it stays moderately anomalous, as it moves,
   * and only where it is. Absent in models fitted before it (no hold). UCSD Ped1 figures in docs/detectors.md.
   */
  holdSeconds?: number;
  holdLevel?: number;
  holdCells?: number;
}

export const defaultTemporalParams: TemporalParams = { seconds: 3, floor: 0.4, cap: 2, holdSeconds: 3, holdLevel: 0.4, holdCells: 3 };

/** JSON- and wire-friendly: the newest capture time folded in (ms) and each cell's evidence at that time. */
export interface EvidenceState {
  at: number;
  cols: number;
  rows: number;
  evidence: Float32Array;
  /** Per cell, the capture time (ms) of the newest frame in which it crossed the threshold (NaN: never); the hold runs from it. */
  hot?: Float64Array;
}

/** Thresholds from calibration: evidence h_E that counts as 1, and the accumulated score's own threshold h_A. */
export interface TemporalCalibration {
  params: TemporalParams;
  evidenceThreshold: number;
  threshold: number;
}

export function emptyEvidence(cols: number, rows: number, at = -Infinity): EvidenceState {
  return { at, cols, rows, evidence: new Float32Array(cols * rows) };
}

/**
 * Folds one frame's normalised map in (returns a new state; the old one is not changed). `intervalSeconds`
 * is the camera's frame interval; a map of another grid (a new model) starts the evidence afresh.
 */
export function foldEvidence(state: EvidenceState | undefined, map: ScoreMap, atMs: number, intervalSeconds: number, params: TemporalParams): EvidenceState {
  const fresh = !state || state.cols !== map.cols || state.rows !== map.rows || !Number.isFinite(state.at);
  const base = fresh ? emptyEvidence(map.cols, map.rows, atMs) : state!;
  const tau = params.seconds * 1000;
  const at = Math.max(base.at, atMs);
  // Bring the old sum to the newer time, and this frame's term to it too (a late frame arrives decayed).
  const decayOld = Math.exp(-(at - base.at) / tau);
  const decayNew = Math.exp(-(at - atMs) / tau);
  const span = params.cap - params.floor;
  const evidence = new Float32Array(base.evidence.length);
  for (let c = 0; c < evidence.length; c++) {
    const excess = map.data[c]! - params.floor;
    const term = excess <= 0 ? 0 : (excess < span ? excess : span) * intervalSeconds;
    evidence[c] = base.evidence[c]! * decayOld + term * decayNew;
  }
  return { at, cols: map.cols, rows: map.rows, evidence, ...(!fresh && base.hot ? { hot: base.hot } : {}) };
}

/**
 * The hysteresis step of a frame's accumulated score (1 = threshold): cells within `holdCells` of a cell
 * that crossed in the last `holdSeconds` have their scores divided by the hold level (and the frame score
 * is at least the largest of them); every cell then at or over 1 is marked as crossing now. Returns the state
 * unchanged when no cell crossed.
 */
export function holdScore<S extends { score: number; map: ScoreMap }>(score: S, state: EvidenceState, atMs: number, params: TemporalParams): { score: S & { held?: true }; state: EvidenceState } {
  const holdMs = (params.holdSeconds ?? 0) * 1000;
  const level = params.holdLevel ?? 1;
  const { cols, rows, data } = score.map;
  if (!(holdMs > 0 && level > 0 && level < 1) || cols !== state.cols || rows !== state.rows) return { score, state };
  const n = cols * rows;
  const hot = state.hot;
  let out = data;
  let frameScore = score.score;
  if (hot) {
    // Cells that crossed within the hold, then every cell within `holdCells` of one.
    const r = Math.max(0, Math.round(params.holdCells ?? 0));
    const recent = new Uint8Array(n);
    let any = false;
    for (let c = 0; c < n; c++) {
      const since = atMs - hot[c]!;
      if (since >= 0 && since <= holdMs) {
        recent[c] = 1;
        any = true;
      }
    }
    if (any) {
      out = new Float32Array(data);
      for (let y = 0; y < rows; y++) {
        for (let x = 0; x < cols; x++) {
          let held = false;
          for (let yy = Math.max(0, y - r); yy <= Math.min(rows - 1, y + r) && !held; yy++)
            for (let xx = Math.max(0, x - r); xx <= Math.min(cols - 1, x + r) && !held; xx++) held = recent[yy * cols + xx] === 1;
          if (!held) continue;
          const v = data[y * cols + x]! / level;
          out[y * cols + x] = v;
          if (v > frameScore) frameScore = v;
        }
      }
    }
  }
  let next: Float64Array | undefined;
  for (let c = 0; c < n; c++) {
    if (out[c]! >= 1 && !(hot && hot[c]! >= atMs)) {
      next ??= hot ? Float64Array.from(hot) : new Float64Array(n).fill(Number.NaN);
      next[c] = atMs;
    }
  }
  // Over only by the hold: said so, for the alert lifecycle (such a frame keeps an alert open, never opens one).
  const held = out === data ? score : { ...score, score: frameScore, map: { cols, rows, data: out }, ...(frameScore >= 1 && score.score < 1 ? { held: true as const } : {}) };
  return { score: held, state: next ? { ...state, hot: next } : state };
}

/** The accumulated map of a frame: max(instant, evidence / h_E where the cell is still above the floor) per cell, over h_A. */
export function accumulatedMap(instant: ScoreMap, state: EvidenceState, calibration: TemporalCalibration): ScoreMap {
  const data = new Float32Array(instant.data.length);
  const same = state.cols === instant.cols && state.rows === instant.rows;
  const floor = calibration.params.floor;
  const invE = 1 / calibration.evidenceThreshold,
    invA = 1 / calibration.threshold;
  for (let c = 0; c < data.length; c++) {
    const m = instant.data[c]!;
    const e = same && m >= floor ? state.evidence[c]! * invE : 0;
    data[c] = (m > e ? m : e) * invA;
  }
  return { cols: instant.cols, rows: instant.rows, data };
}

/** Largest evidence of a cell still above the floor in `instant`, over `evidenceThreshold` (1: raw evidence). */
export function evidenceScore(instant: ScoreMap, state: EvidenceState, params: TemporalParams, evidenceThreshold = 1): number {
  if (state.cols !== instant.cols || state.rows !== instant.rows) return 0;
  let m = 0;
  for (let c = 0; c < state.evidence.length; c++) if (instant.data[c]! >= params.floor && state.evidence[c]! > m) m = state.evidence[c]!;
  return m / evidenceThreshold;
}

/** Packs a state for Redis: at (float64), cols, rows (uint16 each), the evidence (float32), then each cell's last crossing (float64, NaN: never) when there is one, little-endian. */
export function packEvidence(state: EvidenceState): Uint8Array {
  const n = state.evidence.length;
  const out = new Uint8Array(12 + n * 4 + (state.hot ? n * 8 : 0));
  const view = new DataView(out.buffer);
  view.setFloat64(0, state.at, true);
  view.setUint16(8, state.cols, true);
  view.setUint16(10, state.rows, true);
  for (let i = 0; i < n; i++) view.setFloat32(12 + i * 4, state.evidence[i]!, true);
  if (state.hot) for (let i = 0; i < n; i++) view.setFloat64(12 + n * 4 + i * 8, state.hot[i]!, true);
  return out;
}

/** The state packed by `packEvidence`, or undefined when the bytes are not one. */
export function unpackEvidence(bytes: Uint8Array): EvidenceState | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = view.getFloat64(0, true),
    cols = view.getUint16(8, true),
    rows = view.getUint16(10, true);
  const n = cols * rows;
  // A state no cell of which has crossed (or packed before the hold) ends with the evidence.
  const withHot = bytes.length === 12 + n * 12;
  if ((bytes.length !== 12 + n * 4 && !withHot) || !Number.isFinite(at)) return undefined;
  const evidence = new Float32Array(n);
  for (let i = 0; i < n; i++) evidence[i] = view.getFloat32(12 + i * 4, true);
  if (!withHot) return { at, cols, rows, evidence };
  const hot = new Float64Array(n);
  for (let i = 0; i < n; i++) hot[i] = view.getFloat64(12 + n * 4 + i * 8, true);
  return { at, cols, rows, evidence, hot };
}
