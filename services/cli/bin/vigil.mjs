#!/usr/bin/env node
// `npx vigil …` after `pnpm install`: vigil runs from its TypeScript sources, so tsx's loader is
// registered first (what `pnpm vigil` does with `tsx services/cli/src/main.ts`).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
