#!/usr/bin/env -S npx tsx
import { startRatingFeed, type FeedTarget } from '@servicehall/upstream';
import pg from 'pg';
import { createAccount } from './accounts';
import { startCity } from './server';

/**
 * The city's server (`npm run city`): CITY_DATABASE_URL (the city's PostgreSQL, where the halls
 * ship), CITY_PORT (default 8700), CITY_HOST (default 127.0.0.1; behind the city's TLS proxy, with
 * CITY_SECURE_COOKIE=1). The 好差评 feed when CITY_FEED_URL (the provincial platform's interface,
 * with CITY_FEED_TOKEN) or CITY_FEED_DIR (its upload files) is set; CITY_FEED_LEVELS is national
 * (1 = 非常满意) or provincial-reversed (1 = 非常不满意).
 * `npm run city -- create-account ID NAME city|hall [HALL]` makes an account, its password from CITY_ACCOUNT_PASSWORD.
 */
const env = process.env;
const url = env.CITY_DATABASE_URL;
if (!url) {
  console.error('CITY_DATABASE_URL is needed: the city PostgreSQL, e.g. postgres://city@127.0.0.1:5432/city');
  process.exit(2);
}
const [command, ...args] = process.argv.slice(2);
if (command === 'create-account') {
  const [id, name, role, hall] = args;
  if (!id || !name || (role !== 'city' && role !== 'hall') || (role === 'hall') !== !!hall) {
    console.error('create-account ID NAME city|hall [HALL]: a hall account names its hall, a city account none');
    process.exit(2);
  }
  const pool = new pg.Pool({ connectionString: url });
  const { migrateCity } = await import('@servicehall/upstream');
  const c = await pool.connect();
  await migrateCity(c);
  c.release();
  await createAccount(pool, { id, name, role, ...(hall ? { hall } : {}) }, env.CITY_ACCOUNT_PASSWORD ?? '');
  await pool.end();
  console.log(`account ${id} (${role}${hall ? ` of hall ${hall}` : ''}) made`);
  process.exit(0);
}

const city = await startCity({ databaseUrl: url, port: Number(env.CITY_PORT ?? '8700'), host: env.CITY_HOST || '127.0.0.1', secureCookie: env.CITY_SECURE_COOKIE === '1' });
const levels = env.CITY_FEED_LEVELS === 'provincial-reversed' ? 'provincial-reversed' : 'national';
const target: FeedTarget | undefined = env.CITY_FEED_URL
  ? { kind: 'http', url: env.CITY_FEED_URL, ...(env.CITY_FEED_TOKEN ? { token: env.CITY_FEED_TOKEN } : {}), levels }
  : env.CITY_FEED_DIR
    ? { kind: 'file', dir: env.CITY_FEED_DIR, levels }
    : undefined;
const feed = target ? startRatingFeed(() => city.pool.connect(), target, 10_000, (e) => console.error(`the 好差评 feed failed this turn: ${(e as Error).message}`)) : undefined;
console.log(JSON.stringify({ msg: 'ServiceHall city server started', url: city.url, feed: target ? (target.kind === 'http' ? target.url : `file:${target.dir}`) : null }));
const stop = async () => {
  await feed?.stop();
  await city.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());
