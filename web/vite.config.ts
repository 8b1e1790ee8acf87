import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

/** redocLogo is the one thing Redoc's bundle fetches from elsewhere: the
 * logo of its "API docs by Redocly" footer. */
const redocLogo = 'https://cdn.redoc.ly/redoc/logo-mini.svg'
const blankSVG = 'data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%221%22 height=%221%22/%3E'

/** apiDocs adds the API documentation page (/api/docs, served by
 * cloud/webui) to the build: api-docs/ beside index.html, and Redoc's
 * standalone bundle from node_modules, with nothing left that loads
 * from another host. */
function apiDocs(): Plugin {
  const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))
  return {
    name: 'jxc-api-docs',
    generateBundle() {
      for (const f of ['index.html', 'docs.js', 'docs.css']) {
        this.emitFile({ type: 'asset', fileName: `api-docs/${f}`, source: readFileSync(here(`./api-docs/${f}`)) })
      }
      let redoc = readFileSync(here('./node_modules/redoc/bundles/redoc.standalone.js'), 'utf8')
      if (!redoc.includes(redocLogo)) this.error(`redoc.standalone.js no longer names ${redocLogo}: check what it loads`)
      redoc = redoc.replaceAll(redocLogo, blankSVG).replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n')
      this.emitFile({ type: 'asset', fileName: 'api-docs/redoc.standalone.js', source: redoc })
      this.emitFile({
        type: 'asset', fileName: 'api-docs/redoc.standalone.js.LICENSE.txt',
        source: readFileSync(here('./node_modules/redoc/bundles/redoc.standalone.js.LICENSE.txt')),
      })
    },
  }
}

// The build must be reproducible: the same sources give a byte-identical
// dist (cloud/webui's build test checks it). Content hashes name the
// files; nothing depends on the time or the absolute path of the tree.
export default defineConfig({
  plugins: [vue(), apiDocs()],
  base: '/',
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir: '../cloud/webui/dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined
          if (id.includes('echarts') || id.includes('zrender')) return 'echarts'
          if (id.includes('element-plus') || id.includes('@element-plus') || id.includes('@floating-ui') || id.includes('lodash')) return 'element-plus'
          return 'vendor'
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
