import { deviceDetail, type DeviceReport } from '@servicehall/core';
import { useConsole } from './App';

/** A device as a terminal reported it: the Terminals page gets the report, the board core's BoardDevice. */
type Reported = Pick<DeviceReport, 'kind' | 'name' | 'status' | 'code' | 'detail'>;

/** What is wrong with a device in the console's words: its code's (缺纸, 未连接), else its status's. */
export const deviceWords = (t: ReturnType<typeof useConsole>['t'], d: Pick<Reported, 'status' | 'code'>) => t.board.deviceCodes[d.code ?? d.status] ?? t.board.deviceCodes[d.status] ?? d.status;

/**
 * One device of a terminal, as the board and the Terminals page show it: its kind and what is wrong in the
 * console's words (`okWords` beside one that is well, where the page says so), and under a device not well what
 * its terminal said of it (which port or address, what to check), its first line. `id` names it for tests:
 * `device-{id}`, `device-detail-{id}`.
 */
export function DeviceState({ device: d, id, okWords }: { device: Reported; id: string; okWords?: string }) {
  const { t } = useConsole();
  const detail = d.status === 'ok' ? undefined : deviceDetail(d);
  return (
    <div className="device">
      <span className={`tag ${d.status === 'fault' ? 'bad' : d.status === 'warning' ? 'warn' : ''}`} title={`${d.name}: ${d.code ?? d.status}`} data-testid={`device-${id}`}>
        {t.board.deviceKinds[d.kind] ?? d.name}
        {d.status !== 'ok' ? ` ${deviceWords(t, d)}` : okWords ? ` ${okWords}` : ''}
      </span>
      {detail && (
        <span className="small detail" data-testid={`device-detail-${id}`}>
          {detail}
        </span>
      )}
    </div>
  );
}
