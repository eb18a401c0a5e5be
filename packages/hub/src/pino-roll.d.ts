declare module 'pino-roll' {
  import type { DestinationStream } from 'pino';
  interface RollOptions {
    file: string | (() => string);
    size?: number | string;
    frequency?: number | 'daily' | 'hourly';
    extension?: string;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    dateFormat?: string;
    mkdir?: boolean;
    /** Passed to its SonicBoom: the most it holds while the file cannot be written, lines beyond it dropped ('drop'). */
    maxLength?: number;
    /** Passed to its SonicBoom: the mode of each file it makes (fs.open's, less the umask). */
    mode?: number;
  }
  export default function roll(options: RollOptions): Promise<DestinationStream & { end(): void }>;
}
