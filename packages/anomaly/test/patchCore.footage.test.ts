import '../src/registry.js';
import { describeBackboneMember } from './backboneMember.js';

describeBackboneMember('patchCore', { pixel: true });
