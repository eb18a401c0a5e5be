/** A line (a serial port, a network device) that could not be opened: what is wrong and what to do, for the installer, in Chinese (`zh`) then English. */
export class LineOpenError extends Error {
  constructor(
    readonly code: string | undefined,
    /** The Chinese words alone, naming the port or address: what a device board's detail has room for. */
    readonly zh: string | undefined,
    message: string,
    /** The port or address the words name. */
    readonly place: string,
  ) {
    super(message);
  }
}

/** A path longer than this is shown by its end in a device report's detail, which holds 200 characters. */
const DETAIL_PATH_MAX = 80;

/** A port as a device report's detail shows it: by its end when it is long. */
export const shownPort = (port: string) => (port.length > DETAIL_PATH_MAX ? `…${port.slice(-(DETAIL_PATH_MAX - 1))}` : port);

/**
 * The device board's detail of a line that cannot be opened: the Chinese the line gives (a port gone, in
 * use, not permitted, not a serial port; an address refusing, out of reach, not answering), naming the port
 * or address, within a report's 200 characters; undefined for any other error (never its stack or a library's words).
 */
export function openFailureDetail(error: unknown): string | undefined {
  if (!(error instanceof LineOpenError) || !error.zh) return undefined;
  return error.zh.replaceAll(error.place, shownPort(error.place)).slice(0, 200);
}

/**
 * Why a device's line last failed to open: said in its log once for as long as it stays so (a terminal
 * asks its devices every few seconds, all day if it must), and the device board's detail while it lasts.
 */
export class OpenFailure {
  private why: string | undefined;
  private detail: string | undefined;

  constructor(
    /** The device as its log names it: `the printer`, `the number display`. */
    private readonly device: string,
    private readonly log: (message: string) => void,
  ) {}

  opened(): void {
    this.why = undefined;
    this.detail = undefined;
  }

  failed(error: unknown): void {
    const why = error instanceof Error ? error.message : String(error);
    if (why !== this.why) this.log(`${this.device} cannot be opened: ${why}`);
    this.why = why;
    this.detail = openFailureDetail(error);
  }

  /** What is known of why the line cannot be opened, for its offline fault on the device board. */
  said(): { detail?: string } {
    return this.detail ? { detail: this.detail } : {};
  }
}
