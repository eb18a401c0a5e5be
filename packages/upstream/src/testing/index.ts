// What tests and the bench use of the city: a throwaway PostgreSQL.
export { freePort } from '@servicehall/hub/testing';
export { PG_BIN, postgresMissing, startTestPostgres, type TestPostgres } from './postgres';
export { hallOwnReports } from './hall-report';
