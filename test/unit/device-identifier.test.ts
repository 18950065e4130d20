import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coarseNetwork, UaDeviceIdentifier } from '../../backend/src/infrastructure/user-agent/device-identifier';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36';
const CHROME_LINUX_NEWER = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0';

test('when an address is given, then its coarse network is the /24 (IPv4) or /48 (IPv6), mapped IPv4 counting as IPv4', () => {
  assert.equal(coarseNetwork('203.0.113.77'), '203.0.113.0/24');
  assert.equal(coarseNetwork('::ffff:203.0.113.77'), '203.0.113.0/24');
  assert.equal(coarseNetwork('2001:db8:abcd:12:1::5'), '2001:db8:abcd::/48');
  assert.equal(coarseNetwork('2001:db8:abcd:ffff::1'), '2001:db8:abcd::/48');
  assert.equal(coarseNetwork(null), null);
  assert.equal(coarseNetwork('not an ip'), null);
});

test('when the browser updates or the address moves inside its /24, then it is the same device; another browser or network is not', () => {
  const ids = new UaDeviceIdentifier();
  const home = ids.identify({ userAgent: CHROME_LINUX, ipAddress: '198.51.100.10' });
  assert.equal(home.description, 'Chrome on Linux');
  assert.equal(ids.identify({ userAgent: CHROME_LINUX_NEWER, ipAddress: '198.51.100.200' }).key, home.key);
  assert.notEqual(ids.identify({ userAgent: FIREFOX_WINDOWS, ipAddress: '198.51.100.10' }).key, home.key);
  assert.notEqual(ids.identify({ userAgent: CHROME_LINUX, ipAddress: '198.51.101.10' }).key, home.key);
  assert.ok(!home.key.includes('198.51'), 'the key is a hash, not the address');
});
