import { rendererConfig } from '../vite.renderer';

// The hub serves the phone's pages under /m/, at addresses several folders deep (/m/t/<ref>): absolute asset paths.
export default rendererConfig(import.meta.url, { base: '/m/' });
