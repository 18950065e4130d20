// `npm run cli -- mail list|show`: with no SMTP_URL the server writes mail under DATA_DIR/mail, and the CLI
// prints it decoded with its links, so a password reset can be finished from the README alone (issue 29).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { registerAndLogin, useTestApp } from '../helpers/app';
import { runCliInProcess } from '../helpers/cli';
import { waitFor } from '../helpers/wait';

describe('development mailbox CLI', () => {
  const app = useTestApp();

  it('when a reset was asked without SMTP_URL, then `mail list` shows the mail with its link and `mail show` its decoded text', async () => {
    const { email } = await registerAndLogin(app);
    await app.http.post('/api/auth/password-reset').send({ email }).expect(202);
    const env = { DATA_DIR: app.dataDir };
    const listed = await waitFor('the reset mail in the mailbox', () => runCliInProcess(['mail', 'list', '--to', email], env), (r) => r.stdout.includes('/reset-password#token='), { timeoutMs: 15_000 });
    assert.equal(listed.code, 0, listed.stderr);
    const link = /https?:\/\/\S+\/reset-password#token=\S+/.exec(listed.stdout)?.[0];
    assert.ok(link, listed.stdout);
    assert.ok(listed.stdout.includes(email));

    const shown = await runCliInProcess(['mail', 'show', '--to', email, '--subject', 'reset'], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^To: .*${email.replace(/[.+]/g, '\\$&')}`, 'm'));
    assert.ok(shown.stdout.includes(link), 'the text carries the same link, decoded (no quoted-printable soft breaks)');
    assert.doesNotMatch(shown.stdout, /=\r?\n|=3D/, 'no MIME encoding left in the text');

    const other = await runCliInProcess(['mail', 'show', '--to', 'nobody@example.test'], env);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /no mail/);
  });

  it('when SMTP_URL is set, then the commands say the mailbox is not used and fail', async () => {
    const res = await runCliInProcess(['mail', 'list'], { DATA_DIR: app.dataDir, SMTP_URL: 'smtp://127.0.0.1:2525' });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /SMTP_URL is set/);
  });

  it('when --limit is not a positive number, then it is a usage error (exit 2)', async () => {
    assert.equal((await runCliInProcess(['mail', 'list', '--limit', 'x'], { DATA_DIR: app.dataDir })).code, 2);
  });
});
