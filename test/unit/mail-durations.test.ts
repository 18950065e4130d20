// Mail says how long a link works in human units (issue 29, item 9): "1 day", not "1440 minutes".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, renderMail } from '../../backend/src/infrastructure/mail/templates';

const settings = { productName: 'Sessionary', publicUrl: 'https://id.example.com' };

describe('durations in mail', () => {
  it('when a duration is a whole number of days, hours or minutes, then the largest such unit names it, singular or plural', () => {
    assert.deepEqual([30, 1, 60, 90, 120, 1440, 10080, 4320].map(humanDuration), ['30 minutes', '1 minute', '1 hour', '90 minutes', '2 hours', '1 day', '7 days', '3 days']);
  });

  it('when the default links are mailed, then they say 30 minutes, 1 day and 7 days', () => {
    const reset = renderMail({ template: 'password_reset', to: 'a@example.test', params: { token: 't', expiresInMinutes: 30 } }, settings);
    assert.match(reset.text, /for 30 minutes;/);
    const verify = renderMail({ template: 'verify_email', to: 'a@example.test', params: { token: 't', expiresInMinutes: 1440 } }, settings);
    assert.match(verify.text, /for 1 day\./);
    const changed = renderMail({ template: 'email_changed', to: 'a@example.test', params: { newEmail: 'b@example.test', time: 't', token: 't', expiresInHours: 168 } }, settings);
    assert.match(changed.text, /for 7 days\./);
    assert.doesNotMatch(verify.text + changed.text, /1440|168 hours/);
  });
});
