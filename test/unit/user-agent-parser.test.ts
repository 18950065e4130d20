import test from 'node:test';
import assert from 'node:assert/strict';
import { UaParserUserAgentParser } from '../../backend/src/infrastructure/user-agent/user-agent-parser';

const parser = new UaParserUserAgentParser();

test('when the user agent is Chrome on Windows, then it is a desktop Chrome on Windows', () => {
  const info = parser.parse(
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  );
  assert.deepEqual(info, { browser: 'Chrome 120', os: 'Windows 10', deviceType: 'desktop' });
});

test('when the user agent is Safari on an iPhone, then it is a mobile Safari on iOS', () => {
  const info = parser.parse(
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  );
  assert.equal(info.deviceType, 'mobile');
  assert.match(info.browser ?? '', /Safari 17/);
  assert.equal(info.os, 'iOS 17.1');
});

test('when there is no user agent, then every field is null', () => {
  assert.deepEqual(parser.parse(null), { browser: null, os: null, deviceType: null });
  assert.deepEqual(parser.parse(''), { browser: null, os: null, deviceType: null });
});

test('when the user agent is unrecognisable, then browser and os are null and the device is unknown', () => {
  assert.deepEqual(parser.parse('totally-made-up-client'), { browser: null, os: null, deviceType: 'unknown' });
});
