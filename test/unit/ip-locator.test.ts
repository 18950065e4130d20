// The MMDB lookup (issue 33) over the bundled country database: public addresses it knows, addresses that
// must give no location, and a city database path that cannot be used stopping the start with its name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MmdbIpLocator } from '../../backend/src/infrastructure/geo/mmdb-ip-locator';
import { countryName, describeLocation } from '../../backend/src/domain/location';
import { loadConfig } from '../../backend/src/config';

describe('MmdbIpLocator', () => {
  const locator = MmdbIpLocator.open(null);

  it('when public addresses are looked up, then the bundled database gives their country', () => {
    assert.deepEqual(locator.locate('81.169.145.1'), { countryCode: 'DE', country: 'Germany', city: null, region: null });
    assert.equal(locator.locate('77.88.8.8')?.countryCode, 'RU');
    assert.equal(locator.locate('8.8.8.8')?.country, 'United States');
    // IPv4-mapped IPv6 (what a dual-stack socket reports) is the IPv4 address.
    assert.equal(locator.locate('::ffff:81.169.145.1')?.countryCode, 'DE');
  });

  it('when the address is loopback, private, link-local, documentation or not an address, then there is no location', () => {
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3', '192.168.0.10', '172.16.5.4', 'fe80::1', 'fd00::1', '203.0.113.9', '2001:db8::1', '100.64.0.1', 'nonsense', '', null]) {
      assert.equal(locator.locate(ip), null, String(ip));
    }
  });

  it('when GEOIP_CITY_DB names a missing or corrupt file, then opening fails with an error naming the setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'geo-'));
    const corrupt = join(dir, 'corrupt.mmdb');
    writeFileSync(corrupt, 'not an mmdb database');
    assert.throws(() => MmdbIpLocator.open(join(dir, 'missing.mmdb')), /GEOIP_CITY_DB: cannot read the MMDB file .*missing\.mmdb.*ENOENT/);
    assert.throws(() => MmdbIpLocator.open(corrupt), /GEOIP_CITY_DB: .*corrupt\.mmdb" is not a valid MMDB database/);
  });

  it('when the settings are read, then GEOIP_CITY_DB is unset and the anomaly settings have their defaults', () => {
    const { geo } = loadConfig({});
    assert.deepEqual(geo, { cityDb: null, requireSecondFactorNewCountry: false, impossibleTravelWindow: 3600 });
  });

  it('when a code names no country, then there is no name; a city is shown before its country', () => {
    assert.equal(countryName('de'), 'Germany');
    for (const code of ['EU', 'ZZ', 'AP', 'XX', 'D', 'DEU']) assert.equal(countryName(code), null, code);
    assert.equal(describeLocation({ city: 'Berlin', country: 'Germany' }), 'Berlin, Germany');
    assert.equal(describeLocation({ city: null, country: 'Germany' }), 'Germany');
  });
});
