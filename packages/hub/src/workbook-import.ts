import type { Catalogue } from '@servicehall/core';
import type { WorkbookProblem } from '@servicehall/workbook';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { builtEntry, HUB_BUILT } from './built';
import { log } from './log';

/** How long the reading of one workbook may take, and the heap its thread may have. */
export interface WorkbookImportLimits {
  timeMs: number;
  memoryMb: number;
}

/**
 * A workbook near the reader's caps (4,200 items with their guides, 15.5 MB unpacked) was read here
 * in 3 to 7 s within a heap of 128 MB; past these limits the reading stops and the administrator is told.
 */
export const WORKBOOK_IMPORT_LIMITS: WorkbookImportLimits = { timeMs: 60_000, memoryMb: 512 };

// A hub run built (packages/hub/dist) starts the worker's build; else this folder's TypeScript, through tsx.
const WORKER = HUB_BUILT ? { file: pathToFileURL(builtEntry('workbook-worker')), entry: undefined } : { file: new URL('./typescript-worker.mjs', import.meta.url), entry: new URL('./workbook-worker.ts', import.meta.url).href };

/** What reading a workbook came to: the console's answer as JSON, or the problems the reader named (or that the hub stopped first). */
export type WorkbookRead = { ok: true; json: Buffer } | { ok: false; problems: WorkbookProblem[]; cancelled?: true };

const refused = (message: string): WorkbookRead => ({ ok: false, problems: [{ sheet: '', message }] });
const CANCELLED: WorkbookRead = { ok: false, cancelled: true, problems: [{ sheet: '', message: '主机正在停止，工作簿没有读完，未导入：主机重新启动后请再导入一次' }] };

/**
 * Reads an uploaded catalogue workbook (packages/workbook) in a worker thread, so that a big one
 * never holds up the terminals' commands; one at a time, each within the time and memory limits. The
 * reader's problems come back as it names them; a reading stopped at a limit is refused politely.
 */
export class WorkbookImports {
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** The reading under way: stopping the hub ends it at once. */
  private current: { cancel(): Promise<void> } | undefined;

  constructor(private readonly limits: WorkbookImportLimits = WORKBOOK_IMPORT_LIMITS) {}

  read(data: Uint8Array, base: Catalogue): Promise<WorkbookRead> {
    const turn = this.queue.then(() => (this.stopped ? CANCELLED : this.readOne(data, base)));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The hub stops: the reading under way ends now (its thread terminated, whoever waits answered that
   * it was cancelled; a reading writes nothing), and those waiting their turn are answered so too.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.cancel();
  }

  private readOne(data: Uint8Array, base: Catalogue): Promise<WorkbookRead> {
    const { timeMs, memoryMb } = this.limits;
    // The bytes are handed over, not copied twice: the worker gets a copy of its own to transfer.
    const copy = new Uint8Array(data);
    return new Promise((resolve) => {
      let done = false;
      let ended: Promise<number> = Promise.resolve(0);
      const finish = (answer: WorkbookRead) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.current = undefined;
        ended = worker.terminate();
        resolve(answer);
      };
      const worker = new Worker(WORKER.file, {
        workerData: { entry: WORKER.entry, data: copy, base },
        transferList: [copy.buffer],
        resourceLimits: { maxOldGenerationSizeMb: memoryMb },
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
      worker.on('message', (answer: { ok: true; json: Uint8Array } | { ok: false; problems: WorkbookProblem[] }) =>
        finish(answer.ok ? { ok: true, json: Buffer.from(answer.json.buffer, answer.json.byteOffset, answer.json.byteLength) } : answer),
      );
      worker.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY')
          return finish(refused(`读取工作簿所需的内存超过了 ${memoryMb} MB 的上限，未导入：请删去多余的行、图片和格式，另存后再导入`));
        log.error(`读取事项目录工作簿的线程出错 / the catalogue workbook's reader failed: ${error.message}`);
        finish(refused('读取工作簿时出错，未导入：请另存后再导入一次；仍不行请联系系统管理员'));
      });
      worker.on('exit', (code) => {
        if (!done) log.error(`读取事项目录工作簿的线程意外退出 / the catalogue workbook's reader ended unexpectedly (exit code ${code})`);
        finish(refused('读取工作簿时出错，未导入：请另存后再导入一次；仍不行请联系系统管理员'));
      });
    });
  }
}
