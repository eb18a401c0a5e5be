import { rendererConfig } from '../vite.renderer.ts';

export default rendererConfig(import.meta.url);
