import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

/** vantFontCDN is the one thing Vant's CSS loads from elsewhere: a
 * fallback of its icon font (the font itself is inlined before it). */
const vantFontCDN = /,\s*url\(\/\/at\.alicdn\.com\/[^)]*\)\s*format\("woff"\)/g

/** offline drops the icon font's CDN fallback from the CSS, and fails the
 * build if any other file still names another host: the handheld pages
 * run on a store's LAN with no internet. */
function offline(): Plugin {
  return {
    name: 'jxc-handheld-offline',
    generateBundle(_, bundle) {
      for (const f of Object.values(bundle)) {
        if (f.type === 'asset' && typeof f.source === 'string' && f.fileName.endsWith('.css')) {
          f.source = f.source.replace(vantFontCDN, '')
          if (/url\((?!data:)[^)]*\/\//.test(f.source)) this.error(`${f.fileName} loads from another host`)
        }
      }
    },
  }
}

// The handheld and till pages (Vant), a second entry of the same web/
// build, into agent/webui/dist, which jxc-agent embeds and serves at / on
// the site's LAN. Reproducible like the console's build (cloud/webui's
// build test checks both).
export default defineConfig({
  root: here('./handheld'),
  plugins: [vue(), offline()],
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
    outDir: here('../agent/webui/dist'),
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
          if (id.includes('node_modules')) return id.includes('vant') || id.includes('@vant') ? 'vant' : 'vendor'
          return undefined
        },
      },
    },
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8081' },
  },
})
