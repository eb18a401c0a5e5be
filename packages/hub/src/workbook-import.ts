import type { Catalogue } from '@servicehall/core';
import type { WorkbookProblem } from '@servicehall/workbook';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { builtEntry, HUB_BUILT, TYPESCRIPT_EXEC_ARGV } from './built';
import { log } from './log';
import { opsText } from './ops-strings';

/** How long the reading of one workbook may take, and the heap its process may have. */
export interface WorkbookImportLimits {
  timeMs: number;
  memoryMb: number;
}

/**
 * A workbook near the reader's caps (4,200 items with their guides, 15.5 MB unpacked) was read here
 * in 3 to 7 s within a heap of 128 MB; past these limits the reading stops and the administrator is told.
 */
export const WORKBOOK_IMPORT_LIMITS: WorkbookImportLimits = { timeMs: 60_000, memoryMb: 512 };

// A hub run built (packages/hub/dist) starts the reader's build; else this folder's TypeScript, through tsx.
const READER_FILE = HUB_BUILT ? builtEntry('workbook-worker') : fileURLToPath(new URL('./workbook-worker.ts', import.meta.url));

/** What reading a workbook came to: the console's answer as JSON, or the problems the reader named (or that the hub stopped first). */
export type WorkbookRead = { ok: true; json: Buffer } | { ok: false; problems: WorkbookProblem[]; cancelled?: true; abandoned?: true };

const refused = (message: string): WorkbookRead => ({ ok: false, problems: [{ sheet: '', message }] });
const CANCELLED: WorkbookRead = { ok: false, cancelled: true, problems: [{ sheet: '', message: '主机正在停止，工作簿没有读完，未导入：主机重新启动后请再导入一次' }] };
/** Whoever sent the workbook has gone (its connection closed): no one is left to answer. */
const ABANDONED: WorkbookRead = { ok: false, abandoned: true, problems: [] };

/**
 * Reads an uploaded catalogue workbook (packages/workbook) in a process of its own, so that a big
 * one never holds up the terminals' commands nor, past its memory, ends the hub; one at a time, each within the time and memory limits. The
 * reader's problems come back as it names them; a reading stopped at a limit is refused politely.
 */
export class WorkbookImports {
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** The reading under way: stopping the hub ends it at once. */
  private current: { cancel(): Promise<void> } | undefined;

  constructor(private readonly limits: WorkbookImportLimits = WORKBOOK_IMPORT_LIMITS) {}

  /** `closed`: its sender's connection closing stops its reading (or, waiting its turn, skips it), so that the next import is read at once. */
  read(data: Uint8Array, base: Catalogue, closed?: AbortSignal): Promise<WorkbookRead> {
    const turn = this.queue.then(() => (this.stopped ? CANCELLED : closed?.aborted ? ABANDONED : this.readOne(data, base, closed)));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The hub stops: the reading under way ends now (its process killed, whoever waits answered that
   * it was cancelled; a reading writes nothing), and those waiting their turn are answered so too.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.cancel();
  }

  private readOne(data: Uint8Array, base: Catalogue, closed?: AbortSignal): Promise<WorkbookRead> {
    const { timeMs, memoryMb } = this.limits;
    return new Promise((resolve) => {
      let done = false;
      let heapExhausted = false;
      const finish = (answer: WorkbookRead) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        closed?.removeEventListener('abort', abandon);
        this.current = undefined;
        if (reader.exitCode === null && reader.signalCode === null) reader.kill('SIGKILL');
        resolve(answer);
      };
      // A process of its own, not a thread: a heap exhausted in a worker thread may end the whole hub
      // (V8's "Reached heap limit", seen once in CI where a thread's resourceLimits should have stopped
      // it alone); a process at its limit ends by itself and the hub reads what it said.
      const reader = fork(READER_FILE, [], {
        execArgv: [...TYPESCRIPT_EXEC_ARGV, `--max-old-space-size=${memoryMb}`],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      const ended = new Promise<void>((r) => reader.once('close', () => r()));
      reader.stderr!.on('data', (chunk: Buffer) => {
        if (/heap out of memory|Reached heap limit/.test(chunk.toString())) heapExhausted = true;
        else process.stderr.write(chunk);
      });
      const timer = setTimeout(
        () => finish(refused(`读取工作簿超过了 ${Math.round(timeMs / 1000)} 秒，未导入：请只保留大厅、部门、事项、窗口、工作人员各表的内容，另存后再导入`)),
        timeMs,
      );
      this.current = {
        cancel: async () => {
          finish(CANCELLED);
          await ended;
        },
      };
      const abandon = () => finish(ABANDONED);
      closed?.addEventListener('abort', abandon, { once: true });
      reader.on('message', (answer: { ok: true; json: Uint8Array } | { ok: false; problems: WorkbookProblem[] }) =>
        finish(answer.ok ? { ok: true, json: Buffer.from(answer.json.buffer, answer.json.byteOffset, answer.json.byteLength) } : answer),
      );
      reader.on('error', (error: Error) => {
        log.error({ err: error }, opsText('workbookReaderFailed', { problem: error.message }));
        finish(refused('读取工作簿时出错，未导入：请另存后再导入一次；仍不行请联系系统管理员'));
      });
      // 'close': the process has ended and its standard error is read to its end (the words of a heap exhausted).
      reader.on('close', (code, signal) => {
        if (done) return;
        if (heapExhausted) return finish(refused(`读取工作簿所需的内存超过了 ${memoryMb} MB 的上限，未导入：请删去多余的行、图片和格式，另存后再导入`));
        log.error({ code, signal }, opsText('workbookReaderEnded', { how: signal ? `signal ${signal}` : { 'zh-CN': `退出码 ${code}`, en: `exit code ${code}` } }));
        finish(refused('读取工作簿时出错，未导入：请另存后再导入一次；仍不行请联系系统管理员'));
      });
      reader.send({ data, base });
    });
  }
}
