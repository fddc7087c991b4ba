import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { antdStyleParts } from './build/antd-styles.ts';

/** antd's stylesheet in two parts, `virtual:antd-landing.css` and `virtual:antd-rest.css` (build/antd-styles.ts). */
function antdStyles(): Plugin {
  const parts = { 'virtual:antd-landing.css': 'landing', 'virtual:antd-rest.css': 'rest' } as const;
  let split: ReturnType<typeof antdStyleParts> | undefined;
  return {
    name: 'bursar-antd-styles',
    resolveId: (id) => (id in parts ? `\0${id}` : undefined),
    load(id) {
      const part = parts[id.slice(1) as keyof typeof parts];
      if (!id.startsWith('\0') || !part) return undefined;
      split ??= antdStyleParts();
      return split[part];
    },
  };
}

/**
 * The landing page's chunk (the overview) and the chunks it imports, as <link rel="modulepreload">
 * in index.html: the browser fetches and compiles them beside the app's entry instead of after it
 * has run (app/landing.ts then imports the module at once). Other pages stay on demand.
 */
function preloadLandingPage(entry = 'src/pages/Overview.tsx'): Plugin {
  return {
    name: 'bursar-preload-landing-page',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const landing = chunks.find((c) => c.facadeModuleId?.replaceAll('\\', '/').endsWith(`/${entry}`));
        if (!landing) throw new Error(`preloadLandingPage: no chunk for ${entry}`);
        const entryFiles = new Set(chunks.filter((c) => c.isEntry).flatMap((c) => [c.fileName, ...c.imports]));
        const files = [landing.fileName, ...landing.imports].filter((f) => !entryFiles.has(f));
        return files.map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/${f}` }, injectTo: 'head' as const }));
      },
    },
  };
}

/**
 * The console: a static single-page app built to web/dist, served by `bursar serve` at `/` and from
 * S3 behind CloudFront in AWS. Vite 8 compiles TSX with its built-in oxc transform (no React plugin).
 * Each page is its own chunk (React.lazy), so sign-in and the overview load only what they need.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [antdStyles(), preloadLandingPage()],
  // Always React's production build, whatever NODE_ENV the builder inherited: under jest (the e2e
  // tests build the console when it is stale) NODE_ENV is "test", and Vite would otherwise bundle
  // React's development build — 70 KB more gzipped, and several times slower to render.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
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
