import { startHub } from '@servicehall/hub';
import { hubOptionsFromEnv } from '../packages/hub/src/cli';

/**
 * The demo hall on this machine: the hub on 127.0.0.1 with the database in ./data (seeded with
 * 滨江区政务服务中心 on first start). It issues at any hour unless SERVICEHALL_DEMO_ALL_DAY=0.
 */
async function main() {
  const options = hubOptionsFromEnv({ SERVICEHALL_DEMO_ALL_DAY: '1', ...process.env });
  const hub = await startHub(options);
  const hall = hub.store.view.catalogue;
  console.log(`\nServiceHall demo hall: ${hall.hall.name}`);
  console.log(`  ${hall.departments.length} departments, ${hall.items.length} service items, ${hall.windows.length} windows, ${hall.clerks.length} clerks\n`);
  console.log(`  hub API       ${hub.url}/api/   (OpenAPI ${hub.url}/api/openapi.json)`);
  console.log(`  terminals     ${hub.wsUrl}`);
  console.log(`  database      ${options.dataDir}/hall.db`);
  console.log(`  token         ${hub.token}${hub.tokenCreated ? `   (new, stored in ${options.dataDir}/admin-token)` : ''}\n`);
  console.log('  try it:');
  console.log(`    curl -s -H 'authorization: Bearer ${hub.token}' -H 'content-type: application/json' -d '{"serviceCode":"GA-SFZ-HL"}' ${hub.url}/api/tickets`);
  console.log(`    curl -s -H 'authorization: Bearer ${hub.token}' ${hub.url}/api/queue\n`);
  console.log('  Ctrl+C stops the hall; the database keeps everything for the next start.');
  const stop = async () => {
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`The demo hall could not start: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
