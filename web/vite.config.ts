/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

// The console is served by `steward serve` at `/`; relative asset URLs keep it working under any
// prefix. `npm run dev` proxies the API to a server given by STEWARD_URL.
export default defineConfig({
  base: './',
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    target: 'es2020',
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // Third-party code in a few stable chunks, so pages share them and the login page stays small.
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/leaflet')) return 'leaflet'
          return undefined
        },
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.STEWARD_URL ?? 'http://127.0.0.1:8080', ws: true } },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
  },
})
