// ipBucket (the per-IP rate-limit key) parses with ipaddr.js: the buckets are those the hand parser made,
// and an IPv4-mapped address counts as its IPv4 address however it is written.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ipBucket } from '../../backend/src/http/rate-limits';

describe('ipBucket', () => {
  it('when the address is IPv4 or not an address, then it is its own bucket', () => {
    assert.equal(ipBucket('203.0.113.9'), '203.0.113.9');
    assert.equal(ipBucket('unknown'), 'unknown');
  });

  it('when the address is IPv6, then the bucket is its /64 in lower-case groups without leading zeros', () => {
    assert.equal(ipBucket('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(ipBucket('2001:0DB8:0001:0002:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
    assert.equal(ipBucket('2001:db8::'), '2001:db8:0:0::/64');
    assert.equal(ipBucket('::1'), '0:0:0:0::/64');
    assert.equal(ipBucket('::'), '0:0:0:0::/64');
    assert.equal(ipBucket('1:2:3:4:5:6:7:8'), '1:2:3:4::/64');
  });

  it('when the address has a zone index, then the zone is ignored', () => {
    assert.equal(ipBucket('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(ipBucket('fe80::abcd:1%2'), 'fe80:0:0:0::/64');
  });

  it('when the address is IPv4-mapped, dotted or in hex groups, then the bucket is the IPv4 address', () => {
    assert.equal(ipBucket('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(ipBucket('::FFFF:203.0.113.9'), '203.0.113.9');
    assert.equal(ipBucket('::ffff:7f00:1'), '127.0.0.1');
  });
});
