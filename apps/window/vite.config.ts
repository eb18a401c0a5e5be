import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: new URL('./src/renderer', import.meta.url).pathname,
  base: './',
  plugins: [react()],
  build: { outDir: new URL('./dist/renderer', import.meta.url).pathname, emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  logLevel: 'warn',
});
