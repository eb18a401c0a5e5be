import { rendererConfig } from '../vite.renderer';

export default rendererConfig(import.meta.url);
