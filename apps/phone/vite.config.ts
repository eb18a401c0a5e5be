import { rendererConfig } from '../vite.renderer.ts';

// The hub serves the phone's pages under /m/, at addresses several folders deep (/m/t/<ref>): absolute asset paths.
// Phones' in-app browsers (WeChat, Alipay) may run an older engine than a terminal's Chromium: older syntax.
export default rendererConfig(import.meta.url, { base: '/m/', target: ['es2019', 'chrome69', 'safari12'] });
