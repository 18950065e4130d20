// FEDERATION_PROVIDERS (issue 27, docs/federation.md): presets fill issuer and name, mistakes stop the start
// with a message naming the entry, and plain http is accepted only for a provider on a loopback host.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../backend/src/config';

const providers = (value: unknown) => loadConfig({ FEDERATION_PROVIDERS: JSON.stringify(value) }).federation.providers;

describe('FEDERATION_PROVIDERS', () => {
  it('when unset, then there is no provider', () => {
    assert.deepEqual(loadConfig({}).federation.providers, []);
  });

  it('when presets are used, then issuer, name and id come from them (Microsoft with its tenant)', () => {
    assert.deepEqual(providers([
      { preset: 'google', clientId: 'g', clientSecret: 's' },
      { preset: 'microsoft', tenant: 'contoso.onmicrosoft.com', clientId: 'm' },
      { preset: 'gitlab', id: 'gl', name: 'Work GitLab', clientId: 'l', scopes: 'email' },
    ]), [
      { id: 'google', name: 'Google', issuer: 'https://accounts.google.com', clientId: 'g', clientSecret: 's', scopes: ['openid', 'email', 'profile'] },
      { id: 'microsoft', name: 'Microsoft', issuer: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0', clientId: 'm', clientSecret: null, scopes: ['openid', 'email', 'profile'] },
      { id: 'gl', name: 'Work GitLab', issuer: 'https://gitlab.com', clientId: 'l', clientSecret: null, scopes: ['openid', 'email'] },
    ]);
  });

  it('when an entry is wrong, then loading fails naming it', () => {
    assert.throws(() => loadConfig({ FEDERATION_PROVIDERS: '{not json' }), /FEDERATION_PROVIDERS must be a JSON array/);
    assert.throws(() => providers([{ id: 'x', issuer: 'https://idp.example' }]), /\(x\): clientId is required/);
    assert.throws(() => providers([{ id: 'Bad Id', issuer: 'https://idp.example', clientId: 'c' }]), /id must be/);
    assert.throws(() => providers([{ preset: 'github', clientId: 'c' }]), /unknown preset "github"/);
    assert.throws(() => providers([{ preset: 'google', clientId: 'a' }, { preset: 'google', clientId: 'b' }]), /"google" is listed twice/);
    assert.throws(() => providers([{ id: 'x', issuer: 'http://idp.example', clientId: 'c' }]), /must be https/);
    assert.equal(providers([{ id: 'x', issuer: 'http://127.0.0.1:9000', clientId: 'c' }])[0].issuer, 'http://127.0.0.1:9000');
  });
});
