import type { Command } from '@servicehall/core';
import fs from 'node:fs';
import path from 'node:path';

export interface OutboxEntry {
  command: Command;
  queuedAt: number;
  /** Kept in memory only, never written to the file (a clerk's PIN, say). */
  volatile?: boolean;
}

/**
 * Commands made while the hub may be away, kept in a JSON file in the terminal's data folder
 * (written whole to a temporary file, flushed, then renamed over the old one, so a power cut
 * leaves the old or the new list, never half of one). Delivered in order until answered; the
 * hub's command ids make a second delivery harmless.
 */
export class Outbox {
  private entries: OutboxEntry[] = [];
  /** The last save failed (said once, until one succeeds). */
  private unsaved = false;

  constructor(
    private readonly file?: string,
    /** Told when the file could not be read whole (its commands will not be sent: a person should look at the copy kept), and when it cannot be written. */
    private readonly warn: (message: string) => void = () => undefined,
  ) {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) return;
    const aside = `${file}.damaged-${Date.now()}`;
    try {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      if (!Array.isArray(parsed)) throw new Error('not a list of commands');
      this.entries = parsed.filter(isEntry);
      // The entries it cannot read would be gone at the next save: the file as it was is kept aside first.
      if (this.entries.length < parsed.length) {
        fs.copyFileSync(file, aside);
        warn(`the outbox ${file} held ${parsed.length - this.entries.length} entries that are not commands: they are not sent; the file as it was is kept as ${aside}`);
      }
    } catch (error) {
      // A damaged file is kept aside for a person to look at; the terminal starts with an empty outbox.
      fs.renameSync(file, aside);
      warn(`the outbox ${file} could not be read (${error instanceof Error ? error.message : error}): the commands in it are not sent; it is kept as ${aside}`);
    }
  }

  get size(): number {
    return this.entries.length;
  }

  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  /** The command waiting under this id. */
  get(id: string): Command | undefined {
    return this.entries.find((e) => e.command.id === id)?.command;
  }

  add(command: Command, now: number, volatile = false): void {
    if (this.has(command.id)) return;
    this.entries.push({ command, queuedAt: now, ...(volatile ? { volatile } : {}) });
    if (!volatile) this.save();
  }

  remove(id: string): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.command.id !== id);
    if (this.entries.length !== before) this.save();
  }

  /**
   * A disk that refuses the file (full, read-only, failing) neither stops the command nor throws where the
   * hub's answer is taken (that would end the terminal's process): the list is kept in memory and sent as
   * ever, said once, and written whole at the next change once the disk takes it again.
   */
  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    try {
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeSync(fd, JSON.stringify(this.entries.filter((e) => !e.volatile)));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      // Chinese first, then English, as a terminal's other problems are said to its installer.
      if (!this.unsaved)
        this.warn(
          `待发送命令文件 ${this.file} 无法写入（${why}）：其中 ${this.entries.length} 条命令暂存在内存中，照常发送，但本终端重启会丢失它们；请清理本机磁盘空间或使该文件夹可写\n` +
            `the outbox ${this.file} could not be written (${why}): its ${this.entries.length} commands wait in memory only and are still sent, but a restart of this terminal would lose them; free space on its disk or make the folder writable`,
        );
      this.unsaved = true;
      return;
    }
    if (this.unsaved) this.warn(`待发送命令文件 ${this.file} 已恢复写入\nthe outbox ${this.file} is written again`);
    this.unsaved = false;
  }
}

function isEntry(x: unknown): x is OutboxEntry {
  const e = x as OutboxEntry;
  return !!e && typeof e === 'object' && typeof e.queuedAt === 'number' && !!e.command && typeof e.command.id === 'string' && typeof e.command.type === 'string';
}
