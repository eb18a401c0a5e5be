import { connectBridge } from '@servicehall/agent/renderer';
import { useEffect, useState } from 'react';
import type { KioskShape, Lang } from '../shared/api';
import { tr, type KioskStringKey } from '../shared/strings';

export const bridge = connectBridge<KioskShape>();

export function useTopic<K extends keyof KioskShape['topics'] & string>(topic: K): KioskShape['topics'][K] | undefined {
  const [value, setValue] = useState<KioskShape['topics'][K]>();
  useEffect(() => bridge.on(topic, (v) => setValue(() => v)), [topic]);
  return value;
}

export type T = (key: KioskStringKey, vars?: Record<string, string | number>) => string;

export const translator = (lang: Lang): T => (key, vars) => tr(lang, key, vars);

/** The name in the screen's language: English where the catalogue has it, else Chinese. */
export const nameIn = (lang: Lang, thing: { name: string; nameEn?: string }) => (lang === 'en' && thing.nameEn ? thing.nameEn : thing.name);
