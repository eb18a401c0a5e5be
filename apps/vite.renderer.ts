import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

/** Every app's renderer build: src/renderer of the app whose vite.config.ts calls this, into its dist/renderer. */
export function rendererConfig(appConfigUrl: string, options: { base?: string; target?: string[] } = {}): UserConfig {
  return defineConfig({
    root: new URL('./src/renderer', appConfigUrl).pathname,
    base: options.base ?? './',
    plugins: [react()],
    build: { outDir: new URL('./dist/renderer', appConfigUrl).pathname, emptyOutDir: true, chunkSizeWarningLimit: 1024, ...(options.target ? { target: options.target } : {}) },
    logLevel: 'warn',
  });
}
