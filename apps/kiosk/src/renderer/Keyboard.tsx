import type { T } from './bridge';

const ROWS = ['1234567890', 'QWERTYUIOP', 'ASDFGHJKL-', 'ZXCVBNM'];

/** An on-screen keyboard for codes and pinyin initials: a touch screen has no keys of its own. */
export function Keyboard({ t, onKey, onDelete, onClear, digits = true }: { t: T; onKey(key: string): void; onDelete(): void; onClear(): void; digits?: boolean }) {
  const rows = digits ? ROWS : ROWS.slice(1).map((r) => r.replace('-', ''));
  return (
    <div className="keyboard" data-testid="keyboard">
      {rows.map((row, i) => (
        <div className="key-row" key={row}>
          {[...row].map((k) => (
            <button type="button" className="key" key={k} onClick={() => onKey(k)}>
              {k}
            </button>
          ))}
          {i === rows.length - 1 && (
            <>
              <button type="button" className="key wide" onClick={onDelete}>
                {t('keyboard.delete')}
              </button>
              <button type="button" className="key wide" onClick={onClear}>
                {t('keyboard.clear')}
              </button>
            </>
          )}
        </div>
      ))}
    </div>
  );
}
