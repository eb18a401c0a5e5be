import { deviceReport, type AgentContext, type AgentParts } from '@servicehall/agent';
import type { Answer } from '@servicehall/protocol';
import { hubHttpBase, publicLink } from '@servicehall/protocol/node';
import { openFailureDetail, openSerialLink, RatingKeyPad, shownPort, type ByteLink, type KeyPress, type KEYPAD_CODES } from '@servicehall/rating-keys';
import fs from 'node:fs';
import path from 'node:path';
import QRCode from 'qrcode';
import { isBadRating, ratingTimeEnds, type CommandBody, type RatingLevel } from '@servicehall/core';
import type { AmendInput, PadDetails, PadScreen, PadThanks, RateInput, RateOutcome, RatingPadShape } from '../shared/api';
import { amendCommand, currentRequest, padScreen, rateCommand } from './screen';

export interface RatingPadOptions {
  /** How long the thanks stay on screen. */
  thanksMs: number;
  /** How long to wait for the hub's answer before telling the citizen the rating is kept for later. */
  answerWaitMs: number;
  /** How long a notice (a key press with nothing to rate) stays. */
  noticeMs: number;
  /** How long the reasons screen of a bad rating waits for the citizen; the level pressed stands either way. */
  detailsMs: number;
  /** How long one key must have been pressed again and again, with no pause, before a service was asked for it to be a key held down (stuck), not a citizen's presses. */
  heldKeyMs: number;
  /** Wait before opening the key pad again after it failed. */
  keypadRetryMs: number;
  openKeyLink: (path: string, baudRate: number) => Promise<ByteLink>;
}

type KeypadCode = (typeof KEYPAD_CODES)[number];

export const DEFAULT_OPTIONS: RatingPadOptions = { thanksMs: 6000, answerWaitMs: 2500, noticeMs: 5000, detailsMs: 90_000, heldKeyMs: 3000, keypadRetryMs: 15_000, openKeyLink: openSerialLink };

/**
 * Presses of one key with less than this between them are one run; a run that has gone on for
 * `heldKeyMs` by the time a service is asked is a key held down (stuck, repeating), which never rates it.
 */
export const HELD_KEY_GAP_MS = 1000;

const PHOTO_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp', '.svg': 'image/svg+xml' };
const PHOTO_MAX_BYTES = 2 * 1024 * 1024;

/** A clerk's photo as a data: URL: as given, or read from a file in the terminal's data folder. */
export function photoDataUrl(value: string, dataDir: string): string | undefined {
  if (value.startsWith('data:image/')) return value;
  const type = PHOTO_TYPES[path.extname(value).toLowerCase()];
  if (!type) return undefined;
  try {
    const file = path.join(dataDir, path.basename(value));
    if (fs.statSync(file).size > PHOTO_MAX_BYTES) return undefined;
    return `data:${type};base64,${fs.readFileSync(file).toString('base64')}`;
  } catch {
    return undefined;
  }
}

/** The device board's detail of a garbled key pad: its port, and what to check, in Chinese then English. */
export function garbledDetail(port: string, baudRate: number): string {
  return `${shownPort(port)}：收到的信号无法识别，请检查按键器速率（${baudRate} 8N1）和连接线 / no frame can be read: check the pad's speed (${baudRate} 8N1) and its cable`;
}

/** The device board's detail of a key pad whose acknowledgements the line does not take: its port, and what to do, in Chinese then English. */
export function unansweredDetail(port: string): string {
  return `${shownPort(port)}：无法回复按键器（评价仍计入），请检查连接线和流控，或重插串口转换器 / acks not sent (presses count): check the cable, flow control, adapter`;
}

export function createRatingPadAgent(ctx: AgentContext<RatingPadShape>, overrides: Partial<RatingPadOptions> = {}): AgentParts<RatingPadShape> {
  const options = { ...DEFAULT_OPTIONS, ...overrides };
  const { config, client } = ctx;
  const window = config.window!;
  const handled = new Set<string>();
  const links = new Map<string, { link: string; qr: string }>();
  const making = new Set<string>();
  const photos = new Map<string, string | undefined>();
  const inFlight = new Map<string, Promise<RateOutcome>>();
  let thanks: PadThanks | undefined;
  let thanksTimer: NodeJS.Timeout | undefined;
  let details: PadDetails | undefined;
  let detailsTimer: NodeJS.Timeout | undefined;
  let notice: PadScreen['notice'];
  let noticeTimer: NodeJS.Timeout | undefined;
  let keypadState: PadScreen['keypad'] = config.devices.keypad ? 'fault' : 'absent';
  /** Why the key pad is in fault, for the device board: its line is not there, brings nothing that can be read, or takes no acknowledgement. */
  let keypadFault: KeypadCode = 'offline';
  let keypad: RatingKeyPad | undefined;
  let keypadRetry: NodeJS.Timeout | undefined;
  /** Why the key pad last failed to open, logged once while it stays the same. */
  let openFailure: string | undefined;
  /** The device board's detail while it cannot be opened: what is wrong with its port and what to do, where the line says (a port gone, in use, not permitted). */
  let openDetail: string | undefined;
  /** When the time to rate the service asked about ends: the pad goes idle then by itself, with or without the hub. */
  let timeUpTimer: NodeJS.Timeout | undefined;
  /** The key pad's current run of one key pressed again and again: the service asked about when it began, and whether its dropping is logged. */
  let held: { level: RatingLevel; since: number; last: number; asked?: string; logged: boolean } | undefined;
  let stopped = false;

  const photo = (value: string) => {
    if (!photos.has(value)) {
      const url = photoDataUrl(value, config.dataDir);
      if (!url) ctx.log(`the clerk photo ${value.startsWith('data:') ? '(data URL)' : value} cannot be shown; a placeholder is used`);
      photos.set(value, url);
    }
    return photos.get(value);
  };

  const refresh = () => {
    const view = client.view;
    if (!view || stopped) return;
    for (const id of handled) if (!view.ratingRequests.has(id) && thanks?.ticketId !== id && details?.ticketId !== id) handled.delete(id);
    const now = client.hubNow();
    const screen = padScreen(view, { window, now, language: config.language, handled, thanks, details, notice, keypad: keypadState, links, photo });
    if (screen.request && !links.has(screen.request.ticketId)) makeLink(screen.request.ticketId);
    clearTimeout(timeUpTimer);
    // No event marks the end of the time to rate while the hub is away (its default level cannot come): the pad's own clock does.
    if (screen.request) timeUpTimer = setTimeout(refresh, Math.max(0, ratingTimeEnds(view, screen.request) - now) + 1);
    ctx.push('pad', screen);
  };

  /**
   * The QR code of the hub's phone rating page for this service (the second channel). The hub signs
   * the link, for this pad's window's services only; while it cannot be asked the pad shows none.
   */
  const makeLink = (ticketId: string) => {
    if (making.has(ticketId) || stopped) return;
    making.add(ticketId);
    let link = '';
    ctx.client
      .ask({ kind: 'ratingLink', ticketId })
      .then((reply) => {
        if (!reply.ok || typeof reply.value.link !== 'string') throw new Error(`the hub gave no rating link: ${reply.ok ? 'empty' : `${reply.code} ${reply.message}`}`);
        link = publicLink(hubHttpBase(config.hubUrl), reply.value.link);
        return QRCode.toString(link, { type: 'svg', margin: 1, errorCorrectionLevel: 'M', color: { dark: '#12304dff', light: '#ffffffff' } });
      })
      .then((svg) => {
        links.set(ticketId, { link, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` });
        if (links.size > 50) links.delete(links.keys().next().value!);
        refresh();
      })
      .catch((error) => ctx.log(`the rating QR code could not be made: ${error}`))
      .finally(() => making.delete(ticketId));
  };

  const showThanks = (next: PadThanks, settled: boolean) => {
    thanks = next;
    details = undefined;
    clearTimeout(detailsTimer);
    clearTimeout(thanksTimer);
    if (settled)
      thanksTimer = setTimeout(() => {
        thanks = undefined;
        refresh();
      }, options.thanksMs);
    refresh();
  };

  /** A bad rating is recorded; the pad offers its reasons screen, which closes by itself if the citizen walks away. */
  const showDetails = (next: PadDetails) => {
    details = next;
    thanks = undefined;
    clearTimeout(thanksTimer);
    clearTimeout(detailsTimer);
    detailsTimer = setTimeout(() => {
      if (details?.ticketId !== next.ticketId) return;
      ctx.log(`the reasons of the rating of ${next.ticketNumber || next.ticketId} were not given; the level pressed stands`);
      showThanks({ ticketId: next.ticketId, ticketNumber: next.ticketNumber, level: next.level, status: details.status, part: 'rating' }, true);
    }, options.detailsMs);
    refresh();
  };

  const showNotice = (next: PadScreen['notice']) => {
    const shown = notice === next;
    notice = next;
    clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => {
      notice = undefined;
      refresh();
    }, options.noticeMs);
    // The same notice again (a key held, a pad flooding frames) keeps it up longer; the screen has it already.
    if (!shown) refresh();
  };

  /** Sends a command; tells what became of it once the hub answers, or that it is kept while the hub is away. */
  const deliver = (command: CommandBody, what: string): Promise<RateOutcome> => {
    const answered = client.send(command).then((answer: Answer): RateOutcome => {
      if (answer.ok) return { status: 'recorded' };
      ctx.log(`the hub refused ${what}: ${answer.code} ${answer.message}`);
      return { status: 'refused', code: answer.code };
    });
    return Promise.race([answered, new Promise<RateOutcome>((resolve) => setTimeout(() => resolve({ status: 'queued' }), options.answerWaitMs))]).then((o) => {
      if (o.status === 'queued') answered.then((late) => ctx.log(`${what}, kept while the hub was away: ${late.status}`));
      return o;
    });
  };

  const rate = (input: RateInput, channel: 'window-pad' | 'key-pad'): Promise<RateOutcome> => {
    const command = rateCommand(input, channel);
    if (!command) return Promise.resolve({ status: 'refused', code: 'bad-request' });
    const ticketId = command.ticketId!;
    const already = inFlight.get(ticketId);
    if (already) return already;
    // A touch as the key went down (or the other way round): the service is rated already, by this citizen; the screen stays as it is.
    if (handled.has(ticketId)) return Promise.resolve({ status: 'refused', code: 'already-rated' });
    // Only the service asked about now (a screen a moment behind may show one rated already, or whose time to rate has passed): said politely, nothing sent.
    const view = client.view;
    if (!view || currentRequest(view, window, client.hubNow(), handled)?.ticketId !== ticketId) {
      const code = view?.ratings.has(ticketId) ? 'already-rated' : 'not-found';
      ctx.log(`a rating of ${ticketId} is not sent: that service is not asked about now (${code})`);
      showThanks({ ticketId, ticketNumber: view?.tickets.get(ticketId)?.number ?? '', level: command.level, status: 'refused', code, part: 'rating' }, true);
      return Promise.resolve({ status: 'refused', code });
    }
    const ticketNumber = view.ratingRequests.get(ticketId)?.ticketNumber ?? view.tickets.get(ticketId)?.number ?? '';
    handled.add(ticketId);
    // The level pressed is the rating: it is sent now. A bad one then offers its reasons, as an addition to it.
    const bad = isBadRating(command.level);
    if (bad) showDetails({ ticketId, ticketNumber, level: command.level, status: 'sending' });
    else showThanks({ ticketId, ticketNumber, level: command.level, status: 'sending', part: 'rating' }, false);
    const outcome = deliver(command, `the rating of ${ticketNumber || ticketId}`).then((o) => {
      inFlight.delete(ticketId);
      const code = o.status === 'refused' ? { code: o.code } : {};
      if (details?.ticketId === ticketId) {
        // A refused rating has nothing to add reasons to.
        if (o.status === 'refused') showThanks({ ticketId, ticketNumber, level: command.level, status: o.status, ...code, part: 'rating' }, true);
        else {
          details = { ...details, status: o.status };
          refresh();
        }
      } else if (thanks?.ticketId === ticketId && thanks.part !== 'details') showThanks({ ...thanks, status: o.status, ...code }, true);
      return o;
    });
    inFlight.set(ticketId, outcome);
    return outcome;
  };

  const amend = (input: AmendInput): Promise<RateOutcome> => {
    const shown = details;
    if (!shown || !input || input.ticketId !== shown.ticketId) return Promise.resolve({ status: 'refused', code: 'not-found' });
    const base = { ticketId: shown.ticketId, ticketNumber: shown.ticketNumber, level: shown.level };
    const command = amendCommand(input);
    // Nothing added: the rating is the level pressed, already sent.
    if (!command) {
      showThanks({ ...base, status: shown.status, part: 'rating' }, shown.status !== 'sending');
      return Promise.resolve(shown.status === 'refused' ? { status: 'refused', code: 'bad-request' } : shown.status === 'sending' ? { status: 'queued' } : { status: shown.status });
    }
    showThanks({ ...base, status: 'sending', part: 'details' }, false);
    return deliver(command, `the reasons of the rating of ${shown.ticketNumber || shown.ticketId}`).then((o) => {
      if (thanks?.ticketId === shown.ticketId) showThanks({ ...base, status: o.status, ...(o.status === 'refused' ? { code: o.code } : {}), part: 'details' }, true);
      return o;
    });
  };

  /** Pads of another address heard on the line, each logged once: a neighbour's pad may press all day. */
  const strangers = new Set<number>();
  /** A press that rates nothing: said on the pad, and logged once while its notice is up, not once a frame (a key held, a pad flooding). */
  const drop = (next: 'already-rated' | 'nothing-to-rate', why: string) => {
    if (notice !== next) ctx.log(why);
    showNotice(next);
  };

  const onPress = (press: KeyPress) => {
    const expected = config.devices.keypad?.address;
    if (expected !== undefined && press.address !== expected) {
      if (!strangers.has(press.address)) ctx.log(`a key press from pad ${press.address} is ignored: this pad listens to address ${expected}`);
      strangers.add(press.address);
      return;
    }
    const view = client.view;
    const now = client.hubNow();
    // What a press now would rate: nothing while the citizen who has just rated is thanked or asked for reasons.
    const request = view && !thanks && !details ? currentRequest(view, window, now, handled) : undefined;
    if (held?.level === press.level && now - held.last < HELD_KEY_GAP_MS) held.last = now;
    else held = { level: press.level, since: now, last: now, asked: request?.ticketId, logged: false };
    // A run that began before this service was asked and went on long enough is no citizen's choice (a press or two before and after the clerk finished is).
    if (request && held.asked !== request.ticketId && held.last - held.since < options.heldKeyMs) held.asked = request.ticketId;
    // The citizen has just rated: a press now is theirs again, never a rating of the next service (acknowledged, logged, dropped).
    if (thanks || details) return drop('already-rated', `a key press (${press.level}) just after the rating of ${(thanks ?? details)!.ticketNumber} is dropped: that service is rated`);
    if (!request) return drop('nothing-to-rate', `a key press (${press.level}) with no service asked about is dropped`);
    // A key held down (stuck, repeating) since before this service was asked is nobody's choice: it waits to be let go; touch rating goes on.
    if (held.asked !== request.ticketId) {
      if (!held.logged) ctx.log(`the key ${press.level} of the rating key pad has been held since before ${request.ticketNumber} was asked about: its presses do not rate it until it is let go`);
      held.logged = true;
      return;
    }
    void rate({ ticketId: request.ticketId, level: press.level }, 'key-pad');
  };

  let reported: string | undefined;
  const reportKeypad = () => {
    if (!config.devices.keypad) return;
    const kp = config.devices.keypad;
    const detail = keypadFault === 'garbled' ? garbledDetail(kp.path, kp.baudRate) : keypadFault === 'write-failed' ? unansweredDetail(kp.path) : (openDetail ?? kp.path);
    const report = deviceReport('keypad', '评价按键', keypadState === 'ok' ? { kind: 'ok' } : { kind: 'fault', code: keypadFault, detail });
    const key = JSON.stringify(report);
    if (key === reported) return;
    reported = key;
    client.send({ type: 'reportDevices', devices: [report] }).catch(() => {});
  };

  const openKeypad = async () => {
    const kp = config.devices.keypad;
    if (!kp || stopped) return;
    try {
      const link = await options.openKeyLink(kp.path, kp.baudRate);
      if (stopped) return void link.close();
      /** The key pad's state from what it says of its line: a line that brings no frame comes first, for no press is read. */
      const padState = () => {
        keypadFault = pad.garbled ? 'garbled' : pad.unanswered ? 'write-failed' : 'offline';
        keypadState = pad.garbled ? 'fault' : pad.unanswered ? 'unanswered' : 'ok';
        reportKeypad();
        refresh();
      };
      const pad: RatingKeyPad = new RatingKeyPad(
        link,
        onPress,
        undefined,
        () => {
          // The line went away: say so on the device board, keep rating by touch, open it again later (H-17).
          if (stopped || keypad !== pad) return;
          keypad = undefined;
          keypadState = 'fault';
          keypadFault = 'offline';
          ctx.log(`the rating key pad on ${kp.path} went away; touch rating goes on, trying again later`);
          reportKeypad();
          refresh();
          void pad.close().catch(() => undefined);
          keypadRetry = setTimeout(() => void openKeypad(), options.keypadRetryMs);
        },
        {
          address: kp.address,
          // Bytes keep coming and none makes a frame (a speed that is not the pad's, a bad cable): no press is counted, so it is a fault; the first good frame ends it.
          onGarbled: (garbled, noise) => {
            if (stopped || keypad !== pad) return;
            ctx.log(
              garbled
                ? `the rating key pad on ${kp.path} sends bytes that make no frame (${noise} since the last good one): check that the pad and this terminal are both at ${kp.baudRate} baud 8N1, and its cable; touch rating goes on`
                : `the rating key pad on ${kp.path} is read again: a good frame came`,
            );
            padState();
          },
          // Its acknowledgements are not taken (flow control held, an adapter hung): presses count, but the pad lights its error lamp; the first one written ends it.
          onUnanswered: (unanswered, error) => {
            if (stopped || keypad !== pad) return;
            ctx.log(
              unanswered
                ? `the rating key pad on ${kp.path} cannot be answered (${error instanceof Error ? error.message : String(error)}): its presses still count, but it lights its error lamp; check its cable and flow control`
                : `the rating key pad on ${kp.path} is answered again`,
            );
            padState();
          },
        },
      );
      keypad = pad;
      keypadState = 'ok';
      keypadFault = 'offline';
      openFailure = undefined;
      openDetail = undefined;
      ctx.log(`rating key pad ready on ${kp.path} (address ${kp.address})`);
    } catch (error) {
      keypadState = 'fault';
      const why = error instanceof Error ? error.message : String(error);
      openDetail = openFailureDetail(error);
      // Said once for as long as it stays so: the pad is tried again every few seconds, all day if it must.
      if (why !== openFailure) ctx.log(`the rating key pad on ${kp.path} cannot be opened (${why}); touch rating goes on, trying again later`);
      openFailure = why;
      keypadRetry = setTimeout(() => void openKeypad(), options.keypadRetryMs);
    }
    reportKeypad();
    refresh();
  };

  const unsubscribe = client.subscribe((change) => {
    if (change.kind === 'view') refresh();
    else if (change.state.status === 'online') reportKeypad();
  });
  refresh();
  const keypadReady = openKeypad();

  return {
    handlers: {
      hello: () => ({ terminal: config.terminal, window, language: config.language }),
      rate: (input) => rate(input, 'window-pad'),
      amend,
    },
    async stop() {
      stopped = true;
      unsubscribe();
      clearTimeout(thanksTimer);
      clearTimeout(detailsTimer);
      clearTimeout(noticeTimer);
      clearTimeout(timeUpTimer);
      clearTimeout(keypadRetry);
      await keypadReady;
      await keypad?.close();
    },
  };
}

