#!/usr/bin/env -S npx tsx
import { hallSetupWarnings } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { startHub } from './server';

/**
 * The hub of one hall. SERVICEHALL_DATA (default ./data), SERVICEHALL_PORT (default 8600),
 * SERVICEHALL_HOST (default 127.0.0.1), SERVICEHALL_TOKEN (default: stored in the data folder).
 * A new database is seeded with the demo hall; SERVICEHALL_DEMO_ALL_DAY=1 issues at any hour.
 */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const port = Number(env.SERVICEHALL_PORT ?? '8600');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SERVICEHALL_PORT must be a port number (0-65535), not "${env.SERVICEHALL_PORT}"`);
  return {
    dataDir: env.SERVICEHALL_DATA || './data',
    port,
    host: env.SERVICEHALL_HOST || '127.0.0.1',
    token: env.SERVICEHALL_TOKEN || undefined,
    seed: demoCatalogue({ allDay: env.SERVICEHALL_DEMO_ALL_DAY === '1' }),
    demoPin: env.SERVICEHALL_DEMO_PIN || undefined,
  };
}

async function main() {
  const options = hubOptionsFromEnv();
  const hub = await startHub(options);
  console.log(`ServiceHall hub: ${hub.store.view.catalogue.hall.name}`);
  console.log(`  API        ${hub.url}/api/ (OpenAPI: ${hub.url}/api/openapi.json)`);
  console.log(`  terminals  ${hub.wsUrl}`);
  console.log(`  database   ${options.dataDir}/hall.db (event ${hub.store.seq})`);
  console.log(`  token      ${hub.token}${hub.tokenCreated ? `  (new; stored in ${options.dataDir}/admin-token)` : ''}`);
  for (const warning of hallSetupWarnings(hub.store.view.catalogue)) console.warn(`  warning    ${warning}`);
  const stop = async () => {
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli.ts')) {
  main().catch((error) => {
    console.error(`ServiceHall hub could not start: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
