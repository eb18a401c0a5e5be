import { rendererConfig } from '../vite.renderer';

// Served by the city server at its root.
export default { ...rendererConfig(import.meta.url), base: '/' };
