// Every string lives in one message file per language (messages/<lang>.json); adding a language is adding
// a file. The language follows the browser unless the person picked one with the switch (remembered in
// localStorage: a preference, nothing secret).
import en from './messages/en.json';

export type Messages = typeof en;
export type MessageKey = keyof Messages;

const files = import.meta.glob<Messages>('./messages/*.json', { eager: true, import: 'default' });
const catalogs: Record<string, Messages> = {};
for (const [path, messages] of Object.entries(files)) catalogs[/([\w-]+)\.json$/.exec(path)![1]] = messages;

export const languages = Object.keys(catalogs).sort();
const STORAGE_KEY = 'sessionary.language';
const listeners = new Set<() => void>();

function fromBrowser(): string {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (catalogs[base]) return base;
  }
  return 'en';
}

function stored(): string | null {
  try {
    const lang = localStorage.getItem(STORAGE_KEY);
    return lang && catalogs[lang] ? lang : null;
  } catch {
    return null;
  }
}

let current = stored() ?? fromBrowser();
document.documentElement.lang = current;

export const language = () => current;

export function setLanguage(lang: string): void {
  if (!catalogs[lang]) return;
  current = lang;
  document.documentElement.lang = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Storage may be off: the choice then lasts until the page is closed.
  }
  listeners.forEach((l) => l());
}

export function onLanguageChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The message for `key` in the current language (English when missing), with {name} placeholders filled. */
export function t(key: string, params: Record<string, string | number> = {}): string {
  const catalog = catalogs[current] as Record<string, string>;
  // A number in `count` picks the language's plural form when the catalog has one (`key#one`, `key#few`…):
  // Intl.PluralRules knows the categories, so "1 session" / "2 sessions" / "5 сеансов" need no code per language.
  const form = typeof params.count === 'number' ? catalog[`${key}#${new Intl.PluralRules(current).select(params.count)}`] : undefined;
  const text = form ?? catalog[key] ?? (en as Record<string, string>)[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? `{${name}}`));
}

export const languageName = (lang: string) => catalogs[lang]?.['language.name'] ?? lang;

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 31_536_000],
  ['month', 2_592_000],
  ['week', 604_800],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** "3 minutes ago", "через 2 часа". */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(current, { numeric: 'auto' });
  if (Math.abs(seconds) < 45) return rtf.format(0, 'second');
  for (const [unit, size] of UNITS) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  return rtf.format(seconds, 'second');
}

/**
 * "Berlin, Germany" / "Берлин, Германия" is not attempted: the city comes from the server in English; the
 * country name is the browser's own for the page language ("Germany", "Германия").
 */
export function placeName(location: { countryCode: string; country: string; city: string | null }): string {
  let country = location.country;
  try {
    country = new Intl.DisplayNames([current], { type: 'region' }).of(location.countryCode) ?? country;
  } catch {
    // An engine without Intl.DisplayNames keeps the server's English name.
  }
  return location.city ? `${location.city}, ${country}` : country;
}

export function dateTime(value: string | Date): string {
  return new Intl.DateTimeFormat(current, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(value));
}
