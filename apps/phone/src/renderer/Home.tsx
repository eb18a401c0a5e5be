import type { PhoneItem } from '@servicehall/protocol/phone';
import { useMemo, useState } from 'react';
import { myTickets } from '../shared/follow';
import { storage } from './api';
import { named, usePhone } from './context';

export function HomePage() {
  const { t, lang, hall, go } = usePhone();
  const [query, setQuery] = useState('');
  const mine = hall ? myTickets(storage, hall.today) : [];
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const items = (hall?.items ?? []).filter((i) => !q || i.name.includes(q) || (i.nameEn ?? '').toLowerCase().includes(q) || i.department.includes(q) || i.code.toLowerCase().includes(q));
    const out = new Map<string, PhoneItem[]>();
    for (const i of items) out.set(i.department, [...(out.get(i.department) ?? []), i]);
    return [...out];
  }, [hall, query]);

  if (!hall) return <p className="loading">{t('app.loading')}</p>;
  return (
    <div className="home">
      <p className="greeting">{t('home.greeting')}</p>
      {mine.length > 0 && (
        <section className="card mine" aria-label={t('home.myTickets')}>
          <h2>{t('home.myTickets')}</h2>
          <div className="mine-list">
            {mine.map((m) => (
              <button type="button" key={m.ref} className="ticket-chip" data-testid={`my-ticket-${m.number}`} onClick={() => go({ name: 'ticket', ref: m.ref })}>
                {m.number}
              </button>
            ))}
          </div>
        </section>
      )}
      <div className="shortcuts">
        <button type="button" className="shortcut" data-testid="go-mine" onClick={() => go({ name: 'mine' })}>
          {t('home.mine')}
        </button>
        <button type="button" className="shortcut" data-testid="go-case" onClick={() => go({ name: 'case' })}>
          {t('home.case')}
        </button>
      </div>
      <label className="search">
        <span className="sr-only">{t('home.search')}</span>
        <input type="search" data-testid="search" value={query} placeholder={t('home.search')} onChange={(e) => setQuery(e.target.value)} enterKeyHint="search" />
      </label>
      {groups.length === 0 && <p className="card sorry">{t('home.noResult')}</p>}
      {groups.map(([department, items]) => (
        <section key={department} className="department" aria-label={department}>
          <h2>{lang === 'en' ? (items[0]!.departmentEn ?? department) : department}</h2>
          <ul className="items" data-testid="items">
            {items.map((item) => (
              <li key={item.code}>
                <button type="button" className="item" data-testid={`item-${item.code}`} onClick={() => go({ name: 'item', code: item.code })}>
                  <span className="item-name">{named(lang, item)}</span>
                  <span className="item-figures">
                    <span>{item.noWindowOpen ? t('home.noWindow') : item.ahead > 0 ? `${t('home.waiting', { n: item.ahead })} · ${t('home.minutes', { m: item.minutes })}` : t('home.noWait')}</span>
                    <span className={`badge ${item.issuingNow ? 'open' : 'closed'}`}>{item.issuingNow ? t('home.open') : t('home.closed')}</span>
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ))}
      <footer className="foot">
        <p>{t('home.complaint', { phone: hall.complaintPhone })}</p>
        <p>{t('home.privacy')}</p>
      </footer>
    </div>
  );
}
