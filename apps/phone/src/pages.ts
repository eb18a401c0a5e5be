import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the phone's pages; the hub serves them under /m/. */
export const PHONE_PAGES_DIR = fileURLToPath(new URL('../dist/renderer', import.meta.url));
