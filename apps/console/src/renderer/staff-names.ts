import type { Clerk } from '@servicehall/core';
import { useEffect, useState } from 'react';
import { api } from './api';

/** A staff account as the staff list gives it: what the console shows for the id an event recorded. */
export interface StaffName {
  id: string;
  name: string;
}

/** What the console calls the two actors that are not people: the hub by itself, and the hall token (an integration). */
export interface SystemNames {
  hub: string;
  token: string;
}

/**
 * Who did something, as a person reads it: the events record a staff account's id, or a clerk's
 * number (a clerk acting on their own follow-up), or the hub itself. A name known from the staff
 * list or the catalogue's clerks is shown with its id (for the audit), an unknown id as it is.
 */
export function staffNameOf(id: string | undefined, accounts: readonly StaffName[], clerks: readonly Clerk[], system: SystemNames): string {
  if (!id) return '—';
  if (id === 'hub') return system.hub;
  // The hall token over HTTP (an integration, a 12345 work-order system) is recorded as its terminal or its staff stand-in.
  if (id === 'http' || id === 'hall-token') return system.token;
  const name = accounts.find((a) => a.id === id)?.name ?? clerks.find((c) => c.number === id)?.name;
  return name ? `${name}（${id}）` : id;
}

/** staffNameOf with the staff accounts this console's user may list (a department head: their department's), loaded once. */
export function useStaffNameOf(clerks: readonly Clerk[], system: SystemNames): (id?: string) => string {
  const names = useStaffNames();
  return (id) => staffNameOf(id, names, clerks, system);
}

/** The staff accounts this console's user may list, once; none while loading or when refused. */
function useStaffNames(): readonly StaffName[] {
  const [names, setNames] = useState<readonly StaffName[]>([]);
  useEffect(() => {
    let live = true;
    api<{ staff: StaffName[] }>('GET', '/api/staff').then(
      (r) => live && setNames(r.staff.map(({ id, name }) => ({ id, name }))),
      // A clerk may not list staff: the ids are shown as they are.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return names;
}
