// Builds the dashboard to dist/, which the gateway serves at `/`. No runtime fetches from the internet:
// everything the page needs (jsmpeg included) is bundled here.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `pnpm --filter @vigil/dashboard dev` against a gateway on :8080.
    proxy: { '/v1': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
