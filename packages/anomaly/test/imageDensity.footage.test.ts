import '../src/registry.js';
import { describeBackboneMember } from './backboneMember.js';

describeBackboneMember('imageGaussian', { pixel: false, detection: 'threshold' });
describeBackboneMember('imageKnn', { pixel: false, detection: 'threshold' });
