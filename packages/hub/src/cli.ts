#!/usr/bin/env -S npx tsx
import { hallSetupWarnings, isConfigured, StaffRoleSchema } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { openDatabase } from './db';
import { HallStore } from './store';
import { archiveYear, ArchiveRefusal } from './archive';
import { startHub } from './server';
import { Staff, StaffIdSchema } from './staff';

/**
 * The hub of one hall. SERVICEHALL_DATA (default ./data), SERVICEHALL_PORT (default 8600),
 * SERVICEHALL_HOST (default 127.0.0.1), SERVICEHALL_TOKEN (default: stored in the data folder).
 * A new hall starts unconfigured and is set up in the console (/console); SERVICEHALL_SEED=demo
 * seeds it with the demo hall instead, and SERVICEHALL_DEMO_ALL_DAY=1 issues at any hour.
 */
export function hubOptionsFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const port = Number(env.SERVICEHALL_PORT ?? '8600');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SERVICEHALL_PORT must be a port number (0-65535), not "${env.SERVICEHALL_PORT}"`);
  const seed = env.SERVICEHALL_SEED ?? '';
  if (seed !== '' && seed !== 'demo') throw new Error(`SERVICEHALL_SEED is "demo" (the demo hall) or empty (a new hall set up in the console), not "${seed}"`);
  return {
    dataDir: env.SERVICEHALL_DATA || './data',
    port,
    host: env.SERVICEHALL_HOST || '127.0.0.1',
    token: env.SERVICEHALL_TOKEN || undefined,
    seed: seed === 'demo' ? demoCatalogue({ allDay: env.SERVICEHALL_DEMO_ALL_DAY === '1' }) : undefined,
    demoPin: env.SERVICEHALL_DEMO_PIN || undefined,
  };
}

function argument(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * `npm run hub -- create-admin [--id admin] [--name 管理员] [--role administrator]`: makes a staff
 * account on this machine's hall database and prints its one-time password, to be changed at the
 * first sign-in in the console.
 */
async function createAdmin(args: string[]) {
  const { dataDir } = hubOptionsFromEnv();
  const id = StaffIdSchema.safeParse(argument(args, 'id') ?? 'admin');
  if (!id.success) throw new Error(`--id: ${id.error.issues[0]!.message}`);
  const role = StaffRoleSchema.safeParse(argument(args, 'role') ?? 'administrator');
  if (!role.success || role.data === 'clerk') throw new Error('--role is administrator, supervisor or department-head');
  const db = openDatabase(dataDir);
  try {
    const store = new HallStore(db);
    const staff = new Staff(db, store.pins, () => store.view.catalogue, Date.now);
    const made = await staff.createFromCommandLine({ id: id.data, name: argument(args, 'name') ?? '管理员', role: role.data });
    if (!made.ok) throw new Error(made.message);
    console.log(`已创建账号 ${made.value.member.id}（${made.value.member.name}，${made.value.member.role}）`);
    console.log(`  一次性密码 one-time password:  ${made.value.password}`);
    console.log('  请在管理控制台 /console 登录，首次登录后须设置自己的密码。Sign in at /console and choose your own password.');
  } finally {
    db.close();
  }
}

async function main() {
  const [sub, ...rest] = process.argv.slice(2);
  if (sub === 'create-admin') return createAdmin(rest);
  if (sub === 'archive') return archive(rest[0]);
  if (sub !== undefined) throw new Error(`unknown command "${sub}": run the hub with no argument, or "create-admin", or "archive YEAR"`);
  const options = hubOptionsFromEnv();
  const hub = await startHub(options);
  const name = hub.store.view.catalogue.hall.name;
  console.log(`ServiceHall hub: ${name || '(尚未设置 not set up yet)'}`);
  console.log(`  console    ${hub.url}/console/`);
  console.log(`  API        ${hub.url}/api/ (OpenAPI: ${hub.url}/api/openapi.json)`);
  console.log(`  terminals  ${hub.wsUrl}`);
  console.log(`  database   ${options.dataDir}/hall.db (event ${hub.store.seq})`);
  console.log(`  started    in ${Math.round(performance.now())} ms (the database opened and today's view loaded in ${hub.loadMs} ms)`);
  console.log(`  token      ${hub.token}${hub.tokenCreated ? `  (new; stored in ${options.dataDir}/admin-token)` : ''}`);
  if (isConfigured(hub.store.view.catalogue)) for (const warning of hallSetupWarnings(hub.store.view.catalogue)) console.warn(`  warning    ${warning}`);
  if (hub.setupCode)
    console.log(`  setup code ${hub.setupCode}  (一次性设置码：在控制台创建第一个管理员账号 / one-time code to make the first administrator in the console)`);
  const stop = async () => {
    await hub.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

/** `npm run hub -- archive 2025`: moves a past year into data/hall-2025.db and vacuums; the hub must be stopped. */
function archive(year: string | undefined): void {
  const dataDir = hubOptionsFromEnv().dataDir;
  try {
    const done = archiveYear(dataDir, Number(year));
    console.log(`ServiceHall: ${done.year} archived to ${done.file}`);
    console.log(`  events     ${done.firstSeq} to ${done.lastSeq}`);
    for (const [table, n] of Object.entries(done.moved)) console.log(`  ${table.padEnd(22)} ${n}`);
    console.log(`  hall.db    ${(done.bytesBefore / 1024 / 1024).toFixed(1)} MB before, ${(done.bytesAfter / 1024 / 1024).toFixed(1)} MB after`);
  } catch (error) {
    console.error(`ServiceHall could not archive ${year ?? '(no year given)'}: ${error instanceof Error ? error.message : error}`);
    process.exit(error instanceof ArchiveRefusal ? 2 : 1);
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('cli.ts')) {
  main().catch((error) => {
    const what = process.argv[2] === 'create-admin' ? 'could not make the account' : 'could not start';
    console.error(`ServiceHall hub ${what}: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}
