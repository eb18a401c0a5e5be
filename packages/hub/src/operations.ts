import path from 'node:path';
import { BackupSchedule, type BackupPolicy } from './backup';
import { DATABASE_FILE, type StartCheck } from './integrity';
import type { GroupCommit } from './commit';
import { log } from './log';
import { HubMetrics, outcomeOf, type MetricsSources } from './metrics';

export interface OperationsOptions {
  dataDir: string;
  /** Scheduled backups to a second folder; none without it. */
  backup?: BackupPolicy;
  /** Lets a Prometheus on another machine read /metrics (loopback needs none). */
  metricsToken?: string;
}

export interface Operations {
  metrics: HubMetrics;
  backups?: BackupSchedule;
  stop(): Promise<void>;
}

/** What the hub does for its operator beside the hall's work: metrics, the command log, scheduled backups. */
export async function startOperations(
  options: OperationsOptions,
  parts: Omit<MetricsSources, 'backups'> & { startCheck: StartCheck; loadSeconds: number; commits?: Pick<GroupCommit, 'onFlushed' | 'onAnswered'> },
): Promise<Operations> {
  const backups = options.backup
    ? new BackupSchedule(path.join(options.dataDir, DATABASE_FILE), options.backup, () => parts.store.view.catalogue.hall.timeZone)
    : undefined;
  // Not awaited: the backup folder may be a slow share, and the hall must not wait for it.
  void backups?.start();
  const metrics = new HubMetrics({ ...parts, backups: backups?.status });
  const stopFlushes = parts.commits?.onFlushed((seconds) => metrics.flushed(seconds));
  const stopAnswers = parts.commits?.onAnswered((type, seconds) => metrics.answered(type, seconds));
  const stopObserving = parts.store.onExecuted((batch, results, seconds) => {
    metrics.observe(batch, results, seconds);
    if (!log.isLevelEnabled('debug')) return;
    // The command's type and who sent it, never its body: PINs and applicants stay out of logs.
    batch.forEach(({ command, actor }, i) => {
      const result = results?.[i];
      const code = result && !result.answer.ok ? result.answer.code : undefined;
      log.debug({ command: command.type, role: actor.role, terminal: actor.terminal, outcome: outcomeOf(result), code, ms: Math.round(seconds * 1e4) / 10 }, 'command');
    });
  });
  return {
    metrics,
    backups,
    async stop() {
      stopObserving();
      stopFlushes?.();
      stopAnswers?.();
      await backups?.stop();
    },
  };
}
