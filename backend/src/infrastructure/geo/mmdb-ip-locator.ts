// IpLocator on MMDB files (issue 33), read in process with `maxmind`'s reader (mmdb-lib): a lookup is a walk
// down a binary tree in a Buffer, no I/O, no account, no network. The country comes from the bundled
// @ip-location-db/geo-whois-asn-country-mmdb (country codes only; data CC BY 4.0 by the NRO, see README);
// an operator may add a city database (GEOIP_CITY_DB: GeoLite2 City or DB-IP City Lite, same layout) for city
// and region. Only public unicast addresses are looked up: private, loopback, link-local, reserved and
// documentation ranges give no location, never a guess.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ipaddr from 'ipaddr.js';
import { Reader, type CityResponse, type CountryResponse } from 'maxmind';
import type { IpLocator } from '../../domain/ports';
import type { IpLocation } from '../../domain/types';
import { countryName } from '../../domain/location';

/**
 * The bundled database's records are `{ country_code: "DE" }`, a layout outside mmdb-lib's response types:
 * the reader is typed for a MaxMind one and the record is read field by field.
 */
type Any = CountryResponse;
function countryCodeOf(record: unknown): string | null {
  if (typeof record !== 'object' || record === null || !('country_code' in record)) return null;
  return typeof record.country_code === 'string' ? record.country_code : null;
}

const BUNDLED = '@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb';

/** The bundled country reader, opened once per process (7.8 MB; several apps in one test process share it). */
let bundled: Reader<Any> | null = null;
function bundledCountries(): Reader<Any> {
  bundled ??= new Reader<Any>(readFileSync(createRequire(import.meta.url).resolve(BUNDLED)));
  return bundled;
}

/** Opens an MMDB file; a missing, unreadable or corrupt file is an error naming the setting that points at it. */
function openMmdb<T extends object>(path: string, setting: string): Reader<T> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (err) {
    throw new Error(`${setting}: cannot read the MMDB file "${path}" (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
  }
  try {
    return new Reader<T>(data);
  } catch (err) {
    throw new Error(`${setting}: "${path}" is not a valid MMDB database (${err instanceof Error ? err.message : String(err)})`, { cause: err });
  }
}

/** The address in canonical form when it is public unicast (IPv4-mapped IPv6 as IPv4), else null. */
export function publicAddress(ip: string | null): string | null {
  if (!ip || !ipaddr.isValid(ip)) return null;
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range() === 'unicast' ? addr.toString() : null;
}

export class MmdbIpLocator implements IpLocator {
  constructor(
    private readonly countries: Reader<Any>,
    private readonly cities: Reader<CityResponse> | null,
  ) {}

  /** cityDbPath: GEOIP_CITY_DB (null = country only). Throws at start-up when that file is unusable. */
  static open(cityDbPath: string | null): MmdbIpLocator {
    return new MmdbIpLocator(bundledCountries(), cityDbPath ? openMmdb<CityResponse>(cityDbPath, 'GEOIP_CITY_DB') : null);
  }

  locate(ipAddress: string | null): IpLocation | null {
    const ip = publicAddress(ipAddress);
    if (!ip) return null;
    const city = this.cities?.get(ip) ?? null;
    const code = city?.country?.iso_code ?? countryCodeOf(this.countries.get(ip));
    // The whois-based database has pseudo-codes for some blocks (e.g. "EU", "ZZ"): only real countries count.
    const country = code ? countryName(code) : null;
    if (!code || !country) return null;
    return {
      countryCode: code.toUpperCase(),
      country,
      city: city?.city?.names.en ?? null,
      region: city?.subdivisions?.[0]?.names.en ?? null,
    };
  }
}
