import type { PhoneHall } from '@servicehall/protocol/phone';
import { createContext, useContext } from 'react';
import type { Route } from '../shared/route';
import { tr, type Lang, type PhoneStringKey } from '../shared/strings';
import type { Session } from './api';
import type { Ringer } from './ringer';

export type T = (key: PhoneStringKey, vars?: Record<string, string | number>) => string;

export const translator =
  (lang: Lang): T =>
  (key, vars) =>
    tr(lang, key, vars);

export interface Phone {
  lang: Lang;
  t: T;
  hall: PhoneHall | undefined;
  reloadHall(): void;
  session: Session | undefined;
  setSession(s: Session | undefined): void;
  go(route: Route, options?: { replace?: boolean }): void;
  ringer: Ringer;
}

export const PhoneContext = createContext<Phone | undefined>(undefined);

export function usePhone(): Phone {
  const p = useContext(PhoneContext);
  if (!p) throw new Error('usePhone outside the app');
  return p;
}

/** The item's name in the page's language. */
export const named = (lang: Lang, x: { name?: string; itemName?: string; nameEn?: string; itemNameEn?: string }) =>
  (lang === 'en' ? (x.nameEn ?? x.itemNameEn) : undefined) ?? x.name ?? x.itemName ?? '';
