import '../src/registry.js';
import { describeBackboneMember } from './backboneMember.js';

describeBackboneMember('imageGaussian', { pixel: false });
describeBackboneMember('imageKnn', { pixel: false });
