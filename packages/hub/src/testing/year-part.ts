import { generateHistory, type HistoryOptions } from './year';

/** One stretch of a history written in parallel (see generateHistoryInParallel): its options as JSON, its progress as JSON lines. */
const options = JSON.parse(process.argv[2]!) as HistoryOptions;
const summary = generateHistory({ ...options, onDay: (day) => process.stdout.write(JSON.stringify({ day }) + '\n') });
process.stdout.write(JSON.stringify({ summary }) + '\n');
