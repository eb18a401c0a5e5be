import http from 'node:http';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * The QR page's ratings as a phone sends them, for the hub bench: one after another over one
 * kept-alive connection, from a process of their own (a phone is not the bench's process, whose
 * garbage collection after its loads would be timed as the hub's), which does not collect while it
 * is timed. Reads `{ url, token, ticketIds }` as JSON on stdin; writes `{ latency, answers, clientGc,
 * slowest }` as JSON on stdout: each rating's milliseconds, the answers by code, how many ratings
 * this process's own garbage collection overlapped, and the three slowest with their place in the
 * run and whether this process's collection overlapped each.
 */
interface Job {
  url: string;
  token: string;
  ticketIds: string[];
}

async function readJob(): Promise<Job> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text) as Job;
}

const job = await readJob();
/** Untimed ratings before the timed ones. */
const WARM_UP = 20;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const rate = (ticketId: string) =>
  new Promise<string>((resolve, reject) => {
    const body = JSON.stringify({ ticketId, level: 'satisfied' });
    const req = http.request(
      `${job.url}/api/ratings`,
      { method: 'POST', agent, headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            resolve((JSON.parse(text) as { code?: string }).code ?? 'recorded');
          } catch {
            reject(new Error(`the hub answered a rating with ${res.statusCode} and no JSON`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });

const gcs: { start: number; end: number }[] = [];
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, end: e.startTime + e.duration });
});
observer.observe({ entryTypes: ['gc'] });
// A phone is a machine of its own: this stand-in's collector should not pause inside the timed
// ratings. Started with a young generation larger than their garbage (bench-hub.ts), and emptied
// now, it collects nothing while they run; any collection that still overlaps one is counted.
(globalThis as { gc?: () => void }).gc?.();
// The connection opened and this stand-in's own code run, as a phone's page has them when its
// citizen taps a rating: ratings of tickets no hall has (refused: no rating kept) before the timed
// ones. Its first requests, and the first after the collection above, take the stand-in a few
// milliseconds more of its own (its code compiled, its caches filled); see also bench-hub.ts's --no-opt.
for (let i = 0; i < WARM_UP; i++) await rate(`2026-01-04-W${String(10000 + i)}`);
const timed: { start: number; end: number }[] = [];
const answers: Record<string, number> = {};
for (const ticketId of job.ticketIds) {
  const start = performance.now();
  const code = await rate(ticketId);
  timed.push({ start, end: performance.now() });
  answers[code] = (answers[code] ?? 0) + 1;
}
// The observer's entries arrive after the fact: a turn of the event loop for the last ones.
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();
agent.destroy();
const overlapsGc = (t: { start: number; end: number }) => gcs.some((g) => g.start < t.end && g.end > t.start);
const clientGc = timed.filter(overlapsGc).length;
// The slowest three, by their place in the run (the first ratings run the hub's code for the first time).
const slowest = timed
  .map((t, place) => ({ place, ms: t.end - t.start, clientGc: overlapsGc(t) }))
  .sort((a, b) => b.ms - a.ms)
  .slice(0, 3);
process.stdout.write(JSON.stringify({ latency: timed.map((t) => t.end - t.start), answers, clientGc, slowest }));
