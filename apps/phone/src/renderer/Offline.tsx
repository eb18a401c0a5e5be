import { usePhone } from './context';

/** The hall not reached (the phone's network, the hall's Wi-Fi): said so, with the way to ask again; never "not found". */
export function Offline({ retry }: { retry(): void }) {
  const { t } = usePhone();
  return (
    <div className="card sorry" role="alert" data-testid="offline">
      <p>{t('app.offline')}</p>
      <button type="button" className="primary" onClick={retry}>
        {t('action.retry')}
      </button>
    </div>
  );
}
