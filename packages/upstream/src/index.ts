// The hall's event log to the city's PostgreSQL, exactly once; the city's schema; the 好差评 feed.
export { upstreamFromEnv, type UpstreamConfig } from './config';
export { cityBody, cityEvent, scrubText, type CityEvent, type Enrichment, type LogRow } from './mask';
export { CITY_MIGRATIONS, migrateCity } from './schema';
export { Shipper, ShippingRefused, type BatchHook, type PartedTail, type ShipperOptions, type RefusalReason, type UpstreamState, type UpstreamStatus } from './ship';
export { cityHooks, followAlerts, queueRatings } from './hooks';
export { startUpstream, type Upstream } from './upstream';
export { CityFacts, ensureHallFacts, hallEventOf, hallSchema, writeFacts } from './facts';
export { cityReport } from './reports';
export { FEED_ATTEMPTS, feedRecord, retryDelaySeconds, sendDueRatings, sendFailedAgain, startRatingFeed, type FeedTarget } from './feed';
