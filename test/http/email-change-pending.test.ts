// A pending change of address is the owner's to see and to withdraw (issue 29, item 7): GET /api/user/email
// and DELETE /api/user/email/pending. Mail read from a real SMTP server in the test process.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, registerAndLogin, TEST_PASSWORD, uniqueEmail, useTestApp } from '../helpers/app';
import { useMailbox } from '../helpers/mailbox';

describe('pending change of address', () => {
  const mailbox = useMailbox();
  const app = useTestApp(() => ({ env: { SMTP_URL: mailbox.url } }));

  it('when a change waits for confirmation, then the owner sees it, can cancel it, its link stops working and the cancel is audited', async () => {
    const u = await registerAndLogin(app);
    const none = await app.http.get('/api/user/email').set(bearer(u.accessToken)).expect(200);
    assert.deepEqual(none.body, { email: u.email, pendingEmail: null, pendingExpiresAt: null });

    const newEmail = uniqueEmail('moving');
    await app.http.post('/api/user/email').set(bearer(u.accessToken)).send({ password: TEST_PASSWORD, newEmail }).expect(202);
    const link = await mailbox.next(newEmail, /Confirm your email address/);
    const pending = await app.http.get('/api/user/email').set(bearer(u.accessToken)).expect(200);
    assert.equal(pending.body.pendingEmail, newEmail);
    assert.ok(Date.parse(pending.body.pendingExpiresAt) > app.clock.now().getTime());

    const cancel = await app.http.delete('/api/user/email/pending').set(bearer(u.accessToken)).expect(200);
    assert.deepEqual(cancel.body, { cancelled: true });
    assert.equal((await app.http.get('/api/user/email').set(bearer(u.accessToken))).body.pendingEmail, null);
    const stale = await app.http.post('/api/auth/email-verification/confirm').send({ token: link.token('/verify-email') });
    assert.equal(stale.body.error?.code, 'LINK_INVALID');
    assert.equal((await app.http.get('/api/user/me').set(bearer(u.accessToken))).body.user.email, u.email);
    const events = (await app.http.get('/api/user/security-events').set(bearer(u.accessToken))).body.events as { type: string; metadata: Record<string, unknown> }[];
    const cancelled = events.find((e) => e.type === 'email.change_cancelled');
    assert.deepEqual({ reason: cancelled?.metadata.reason, newEmail: cancelled?.metadata.newEmail }, { reason: 'cancelled_by_user', newEmail });

    assert.deepEqual((await app.http.delete('/api/user/email/pending').set(bearer(u.accessToken)).expect(200)).body, { cancelled: false });
  });

  it('when there is no bearer token, then both are 401', async () => {
    await app.http.get('/api/user/email').expect(401);
    await app.http.delete('/api/user/email/pending').expect(401);
  });
});
