import { rendererConfig } from '../vite.renderer.ts';

// Served by the hub at /console/, with routes below it: assets are found from any route.
export default { ...rendererConfig(import.meta.url), base: '/console/' };
