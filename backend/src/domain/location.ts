// Names for where a sign-in came from (issue 33). Only the country code (and, with a city database, city and
// region) is stored; the name is derived where it is shown, with the ICU data every Node.js build carries.
import type { IpLocation } from './types';

const english = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

/** Codes that databases use for blocks that are not one country (EU, Asia-Pacific, unknown, user-assigned). */
const notACountry = /^(EU|AP|ZZ|AA|Q[M-Z]|X[A-JL-Z])$/;

/** The English name of an ISO 3166-1 alpha-2 code; null when it names no country. */
export function countryName(code: string): string | null {
  const upper = code.toUpperCase();
  if (!/^[A-Z]{2}$/.test(upper) || notACountry.test(upper)) return null;
  return english.of(upper) ?? null;
}

/** "Berlin, Germany" with a city, else "Germany". */
export function describeLocation(location: Pick<IpLocation, 'country' | 'city'>): string {
  return location.city ? `${location.city}, ${location.country}` : location.country;
}
