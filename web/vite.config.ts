import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The console: a static single-page app built to web/dist, served by `bursar serve` at `/` and from
 * S3 behind CloudFront in AWS. Vite 8 compiles TSX with its built-in oxc transform (no React plugin).
 * Each page is its own chunk (React.lazy), so sign-in and the overview load only what they need.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    manifest: true,
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows no inline scripts: never inline the module preload polyfill or small assets as scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rolldownOptions: {
      // antd marks its modules "use client" (for React Server Components); meaningless in a SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:web` against a running `bursar serve` on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
