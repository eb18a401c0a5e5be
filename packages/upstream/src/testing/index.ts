// What tests and the bench use of the city: a throwaway PostgreSQL.
export { freePort, PG_BIN, postgresMissing, startTestPostgres, type TestPostgres } from './postgres';
export { hallOwnReports } from './hall-report';
