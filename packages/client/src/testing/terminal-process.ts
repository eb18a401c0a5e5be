import { HallClient } from '../client';

/**
 * A terminal as its own process, for the hall's failover test: a kiosk that presses "take a
 * number" at a pace, or a display that only follows, linked to every hub of the hall. It says on
 * stdout (one JSON object a line) each answer, and its link and view whenever they change; "stop"
 * on stdin ends the presses, and it prints {"stopped": presses} once all are answered.
 */
const config = JSON.parse(process.argv[2] ?? '{}') as {
  urls: string[];
  token: string;
  role: 'kiosk' | 'display';
  terminal: string;
  outboxFile?: string;
  everyMs?: number;
  services?: string[];
};

const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const client = new HallClient({
  url: config.urls[0]!,
  standbyUrls: config.urls.slice(1),
  token: config.token,
  role: config.role,
  terminal: config.terminal,
  ...(config.outboxFile ? { outboxFile: config.outboxFile } : {}),
});
let last = '';
const report = () => {
  const now = JSON.stringify({ status: client.state.status, seq: client.view?.seq ?? null, epoch: client.hubEpoch, log: client.viewLog ?? null });
  if (now === last) return;
  last = now;
  say({ link: JSON.parse(now), at: Date.now() });
};
client.subscribe(report);

let pressing = config.role === 'kiosk';
const answers: Promise<unknown>[] = [];
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  if (text.includes('stop')) pressing = false;
});

await client.whenInStep(0, 20_000);
const services = config.services ?? [];
for (let i = 0; pressing; i++) {
  const id = `${config.terminal}-press-${String(i).padStart(6, '0')}`;
  answers.push(
    client.send({ type: 'issueTicket', serviceCode: services[i % services.length]!, lane: 'ordinary' }, id).then((a) =>
      say({ answer: id, ok: a.ok, ...(a.ok ? { number: a.ticket?.number, seq: a.seq } : { code: a.code }), at: Date.now() }),
    ),
  );
  await new Promise((resolve) => setTimeout(resolve, config.everyMs ?? 20));
}
await Promise.all(answers);
say({ stopped: answers.length });
setInterval(report, 100);
