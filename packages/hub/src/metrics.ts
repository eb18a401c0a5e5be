import { Outbox as NotifyOutbox } from '@servicehall/notify';
import { RoleSchema } from '@servicehall/protocol';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { UpstreamStatus } from '@servicehall/upstream/hub';
import type { BackupStatus } from './backup';
import type { Db } from './db';
import type { StartCheck } from './integrity';
import type { ReplicationStatus } from './replication';
import { log } from './log';
import { opsText } from './ops-strings';
import type { Executed, HallStore } from './store';
import { tokensMatch, type LinkedTerminal } from './terminals';

/** The bounds of the log flushes' histogram (servicehall_log_flush_seconds), in seconds: fine where a disk's flushes lie (a tenth of a millisecond to a few), so that their tail can be read from it. */
export const LOG_FLUSH_BUCKETS = [0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.02, 0.05, 0.1, 0.25, 1];

/**
 * The buckets of a command's answer time (seconds): fine enough about the terminals' goal of 10 ms
 * that a percentile read between two of them (the benches print the hub's own p99) is near the truth.
 */
export const ANSWER_BUCKETS = [0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.006, 0.008, 0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1];

export interface MetricsSources {
  store: HallStore;
  db: Db;
  terminals: () => LinkedTerminal[];
  backups?: BackupStatus;
  startCheck?: StartCheck;
  /** Seconds from the start of startHub to the view loaded. */
  loadSeconds?: number;
  /** Shipping to the city's PostgreSQL, when the hub has one. */
  upstream?: () => UpstreamStatus;
  /** The hall's standby hub as this hub sees it (replication.ts). */
  replication?: () => ReplicationStatus;
  /** The phones' streams: served by the hub's thread, or by the phones' own process (when the hub has one: phone/streams.ts). */
  phones?: () => PhoneStreamsStatus;
}

export interface PhoneStreamsStatus {
  onHub: number;
  inProcess: number;
  /** Undefined when the hub serves every stream itself (HubOptions.phoneStreams inline, or TLS). */
  process?: { serving: boolean; starts: number };
}

/** How a command ended, for the counters. */
export function outcomeOf(result: Executed | undefined): 'ok' | 'refused' | 'repeated' | 'failed' {
  if (!result) return 'failed';
  if (result.repeated) return 'repeated';
  if (result.answer.ok) return 'ok';
  return result.answer.code === 'internal' ? 'failed' : 'refused';
}

const NOT_READY = ['warning', 'fault', 'absent'] as const;

/**
 * The hub's figures for Prometheus, in a registry of its own (one per hub, so that hubs in one
 * process do not mix): commands and their latency by type, terminals online by role and the
 * commands waiting in their outboxes as they report them, devices not ready, the notification
 * outbox, the last backup, the start-up check, how far behind the city's copy of the log is, the
 * standby hub's replication lag; and Node's own (event loop lag, memory).
 */
export class HubMetrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'type' | 'outcome'>;
  private readonly latency: Histogram<'type'>;
  private readonly batchSize: Histogram;
  private readonly logFlush: Histogram;
  private readonly answerTime: Histogram<'type'>;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'servicehall_' });
    this.commands = new Counter({
      name: 'servicehall_commands_total',
      help: 'Commands handled, by type and outcome (ok, refused by the rules, repeated id, failed)',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'servicehall_command_duration_seconds',
      help: 'From the start of a command batch transaction to its commit (synchronous=FULL), by command type',
      labelNames: ['type'],
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'servicehall_command_batch_size',
      help: 'Commands committed together in one transaction (group commit): how many a disk flush serves',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.logFlush = new Histogram({
      name: 'servicehall_log_flush_seconds',
      help: "Flushes of the hall database's log to the disk (fdatasync, off the event loop), from the call to its end as the hub sees it: the commands of its batches waited for it (or for one begun after it, beside it, that ended first)",
      buckets: LOG_FLUSH_BUCKETS,
      registers,
    });
    this.answerTime = new Histogram({
      name: 'servicehall_command_answer_seconds',
      help: "From a command read and checked (handed to the group commit) to its answer (its turn, its batch, the log's flush, the standby's word when one is in step), by command type: the hub's own part of a terminal's wait, without the time the command spent in the network and the machine's buffers before the hub read it",
      labelNames: ['type'],
      buckets: ANSWER_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'servicehall_event_seq',
      help: 'The last event sequence number in the hall log',
      registers,
      collect() {
        this.set(sources.store.seq);
      },
    });
    new Gauge({
      name: 'servicehall_terminals_online',
      help: 'Terminals connected and identified, by role',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset();
        for (const role of RoleSchema.options) this.set({ role }, 0);
        for (const t of sources.terminals()) this.inc({ role: t.role });
      },
    });
    new Gauge({
      name: 'servicehall_terminal_outbox_commands',
      help: 'Commands waiting in the outboxes of connected terminals, as they last reported (a terminal that cannot reach the hub cannot report)',
      labelNames: ['role'],
      registers,
      collect() {
        this.reset();
        for (const role of RoleSchema.options) this.set({ role }, 0);
        for (const t of sources.terminals()) if (t.waiting) this.inc({ role: t.role }, t.waiting);
      },
    });
    new Gauge({
      name: 'servicehall_device_problems',
      help: 'Devices last reported not ready (warning, fault, absent), by role, device kind and status',
      labelNames: ['role', 'kind', 'status'],
      registers,
      collect() {
        this.reset();
        for (const d of sources.store.view.devices.values())
          for (const device of d.devices) if ((NOT_READY as readonly string[]).includes(device.status)) this.inc({ role: d.role, kind: device.kind, status: device.status });
      },
    });
    new Gauge({
      name: 'servicehall_device_fault',
      help: 'One for each device last reported in fault, naming its terminal and what is wrong',
      labelNames: ['terminal', 'kind', 'name', 'code'],
      registers,
      collect() {
        this.reset();
        for (const d of sources.store.view.devices.values())
          for (const device of d.devices) if (device.status === 'fault') this.set({ terminal: d.terminal, kind: device.kind, name: device.name, code: device.code ?? '' }, 1);
      },
    });
    const notify = hasTable(sources.db, 'notify_outbox') ? new NotifyOutbox(sources.db) : undefined;
    new Gauge({
      name: 'servicehall_notify_outbox',
      help: "Notices waiting to go out (pending, sending), dead letters, and citizens' SMS of unknown result (no answer after the request went; not sent again), by channel",
      labelNames: ['channel', 'state'],
      registers,
      collect() {
        this.reset();
        for (const b of notify?.backlog() ?? []) this.set({ channel: b.channel, state: b.state }, b.count);
      },
    });
    const backups = sources.backups;
    if (backups) {
      new Gauge({
        name: 'servicehall_backup_last_success_timestamp_seconds',
        help: 'When the newest checked backup was taken (0: none yet)',
        registers,
        collect() {
          this.set(backups.last ? backups.last.takenAtMs / 1000 : 0);
        },
      });
      new Gauge({
        name: 'servicehall_backup_last_seq',
        help: 'The last event in the newest checked backup',
        registers,
        collect() {
          this.set(backups.last?.seq ?? 0);
        },
      });
      new Gauge({
        name: 'servicehall_backup_last_bytes',
        help: 'Size of the newest checked backup',
        registers,
        collect() {
          this.set(backups.last?.bytes ?? 0);
        },
      });
      new Gauge({
        name: 'servicehall_backup_last_duration_seconds',
        help: 'Time the newest backup took to copy and check',
        registers,
        collect() {
          this.set((backups.last?.ms ?? 0) / 1000);
        },
      });
      new Gauge({
        name: 'servicehall_backup_failures',
        help: 'Backups that failed since the hub started',
        registers,
        collect() {
          this.set(backups.failures);
        },
      });
    }
    const phones = sources.phones;
    if (phones) {
      new Gauge({
        name: 'servicehall_phone_streams',
        help: "Phones following their tickets now, by what serves their streams: the hub's thread or the phones' own process",
        labelNames: ['served_by'],
        registers,
        collect() {
          const p = phones();
          this.set({ served_by: 'hub' }, p.onHub);
          this.set({ served_by: 'process' }, p.inProcess);
        },
      });
      new Gauge({
        name: 'servicehall_phone_process_up',
        help: "Whether the phones' own process serves their streams (1), or the hub does meanwhile (0); absent when the hub serves them by design",
        registers,
        collect() {
          const p = phones().process;
          if (p) this.set(p.serving ? 1 : 0);
        },
      });
      new Gauge({
        name: 'servicehall_phone_process_starts',
        help: "Times the phones' own process was started (more than one: it stopped and the hub started it again)",
        registers,
        collect() {
          const p = phones().process;
          if (p) this.set(p.starts);
        },
      });
    }
    const upstream = sources.upstream;
    if (upstream) {
      new Gauge({
        name: 'servicehall_upstream_behind_events',
        help: "Events of the hall's log not yet in the city's PostgreSQL",
        registers,
        collect() {
          this.set(upstream().behindEvents);
        },
      });
      new Gauge({
        name: 'servicehall_upstream_behind_seconds',
        help: 'How old the oldest event not yet in the city is (0: none waiting)',
        registers,
        collect() {
          this.set(upstream().behindSeconds);
        },
      });
      new Gauge({
        name: 'servicehall_upstream_shipped_seq',
        help: 'The last event sequence number the city holds',
        registers,
        collect() {
          this.set(upstream().shippedSeq);
        },
      });
      new Gauge({
        name: 'servicehall_upstream_connected',
        help: "1 while the hub reaches the city's PostgreSQL (shipping or caught up), else 0",
        registers,
        collect() {
          const state = upstream().state;
          this.set(state === 'shipping' || state === 'caught-up' ? 1 : 0);
        },
      });
    }
    const replication = sources.replication;
    if (replication) {
      new Gauge({
        name: 'servicehall_in_charge',
        help: 'One while this hub takes the hall’s commands (the primary), zero while it follows another (the standby)',
        registers,
        collect() {
          this.set(replication().part === 'primary' ? 1 : 0);
        },
      });
      new Gauge({
        name: 'servicehall_epoch',
        help: 'The fencing epoch this hub holds: a promoted standby takes the next',
        registers,
        collect() {
          this.set(replication().epoch);
        },
      });
      new Gauge({
        name: 'servicehall_replication_standby',
        help: 'The primary’s standby: 1 in step (answers wait for it), 0.5 behind (answered without it: alert), 0 none linked (alert when one is configured)',
        registers,
        collect() {
          const s = replication().standby;
          this.set(s === 'in-step' ? 1 : s === 'behind' ? 0.5 : 0);
        },
      });
      new Gauge({
        name: 'servicehall_replication_lag_events',
        help: 'Events the standby does not hold yet (on the primary, by its acknowledgements; on the standby, by what its leader last said)',
        registers,
        collect() {
          this.set(replication().lagEvents);
        },
      });
      new Gauge({
        name: 'servicehall_replication_lag_seconds',
        help: 'On the primary: age of the oldest batch the standby has not acknowledged; on the standby: time since its leader was last heard',
        registers,
        collect() {
          this.set(replication().lagSeconds);
        },
      });
      new Gauge({
        name: 'servicehall_replication_unacknowledged_batches',
        help: 'Batches of commands answered without the standby’s acknowledgement (it did not answer within the semi-sync timeout) since the hub started',
        registers,
        collect() {
          this.set(replication().unacknowledged);
        },
      });
    }
    const check = sources.startCheck;
    if (check) {
      new Gauge({
        name: 'servicehall_start_check_seconds',
        help: 'The database check at start: quick_check, or integrity_check after an unclean stop',
        labelNames: ['kind'],
        registers,
      }).set({ kind: check.kind }, check.ms / 1000);
    }
    if (sources.loadSeconds !== undefined)
      new Gauge({ name: 'servicehall_start_load_seconds', help: 'Opening, migrating and loading the hall database at start', registers }).set(sources.loadSeconds);
  }

  /** Notes a flush of the hall database's log (GroupCommit.onFlushed). */
  flushed(seconds: number): void {
    this.logFlush.observe(seconds);
  }

  /** Notes a command answered (GroupCommit.onAnswered). */
  answered(type: string, seconds: number): void {
    this.answerTime.observe({ type }, seconds);
  }

  /** Counts a batch of commands (store.onExecuted). */
  observe(batch: readonly { command: { type: string } }[], results: Executed[] | undefined, seconds: number): void {
    batch.forEach(({ command }, i) => {
      this.commands.inc({ type: command.type, outcome: outcomeOf(results?.[i]) });
      this.latency.observe({ type: command.type }, seconds);
    });
    this.batchSize.observe(batch.length);
  }

  /**
   * GET /metrics. Readable from this machine (loopback) without a token; from elsewhere only with
   * `Authorization: Bearer <SERVICEHALL_METRICS_TOKEN>`, a token that reads the figures and nothing else.
   */
  async serve(req: IncomingMessage, res: ServerResponse, metricsToken: string | undefined): Promise<void> {
    if (!mayReadMetrics(req, metricsToken)) {
      res.writeHead(metricsToken ? 401 : 403, { 'content-type': 'text/plain; charset=utf-8', ...(metricsToken ? { 'www-authenticate': 'Bearer' } : {}) });
      res.end(
        metricsToken
          ? 'metrics from another machine need Authorization: Bearer <the metrics token>\n'
          : 'metrics are readable from this machine only; set SERVICEHALL_METRICS_TOKEN to let a Prometheus elsewhere read them\n',
      );
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET' }).end();
      return;
    }
    let text: string;
    try {
      text = await this.registry.metrics();
    } catch (error) {
      // A figure that cannot be read now (its table locked, the disk failing) fails this scrape, not the hub.
      log.error({ err: error }, opsText('metricsFailed'));
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`the metrics could not be gathered now: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': this.registry.contentType, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : text);
  }
}

function hasTable(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

export function mayReadMetrics(req: IncomingMessage, metricsToken: string | undefined): boolean {
  if (isLoopback(req.socket.remoteAddress)) return true;
  const header = req.headers.authorization ?? '';
  return !!metricsToken && header.startsWith('Bearer ') && tokensMatch(header.slice(7).trim(), metricsToken);
}
