import { rendererConfig } from '../vite.renderer.ts';

// Served by the city server at its root.
export default { ...rendererConfig(import.meta.url), base: '/' };
