import '../src/registry.js';
import { describeBackboneMember } from './backboneMember.js';

describeBackboneMember('padim', { pixel: true });
