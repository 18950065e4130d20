// Two-factor: status; enrol (QR image and manual key, confirm with a code, backup codes shown once with
// copy and download); regenerate backup codes; disable with password and code.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { authState, reloadUser } from '../session';
import { ErrorAlert, Field, onSubmit, Page, Status, useAction } from '../ui';

interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

function BackupCodes({ codes, done }: { codes: string[]; done: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = codes.join('\n') + '\n';
  const copy = async () => {
    await navigator.clipboard.writeText(text);
    setCopied(true);
  };
  return (
    <section class="card" aria-labelledby="backup-title">
      <h2 id="backup-title">{t('twoFactor.backupTitle')}</h2>
      <Status tone="warning">{t('twoFactor.backupOnce')}</Status>
      <ol class="codes" aria-label={t('twoFactor.backupTitle')}>
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button type="button" onClick={() => void copy().catch(() => undefined)}>
          {t('twoFactor.copy')}
        </button>
        <a class="button" href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`} download="sessionary-backup-codes.txt">
          {t('twoFactor.download')}
        </a>
        <button type="button" class="primary" onClick={done}>
          {t('twoFactor.saved')}
        </button>
      </div>
      {copied && <Status tone="success">{t('twoFactor.copied')}</Status>}
    </section>
  );
}

export function TwoFactor() {
  const enabled = authState().user?.twoFactorEnabled ?? false;
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  /** Other sessions that enrolment ended (none of them proved the new factor). */
  const [signedOut, setSignedOut] = useState(0);
  const [mode, setMode] = useState<'none' | 'regenerate' | 'disable'>('none');

  const reset = () => (setPassword(''), setCode(''), setMode('none'));
  const start = useAction(async () => {
    setMessage(null);
    setEnrolment(await api<Enrolment>('/api/user/2fa/enable', { method: 'POST', body: { password } }));
    setPassword('');
  });
  const verify = useAction(async () => {
    const { backupCodes, revokedSessions } = await api<{ backupCodes: string[]; revokedSessions?: number }>('/api/user/2fa/verify', {
      method: 'POST',
      body: { code: code.replace(/\s/g, '') },
    });
    setSignedOut(revokedSessions ?? 0);
    setEnrolment(null);
    setCode('');
    setCodes(backupCodes);
    await reloadUser();
  });
  const regenerate = useAction(async () => {
    const { backupCodes } = await api<{ backupCodes: string[] }>('/api/user/2fa/backup-codes', { method: 'POST', body: { password } });
    reset();
    setCodes(backupCodes);
  });
  const disable = useAction(async () => {
    await api('/api/user/2fa/disable', { method: 'POST', body: { password, code: code.trim() } });
    reset();
    await reloadUser();
    setMessage(t('twoFactor.disabled'));
  });

  const finish = () => {
    setCodes(null);
    const others = enabled && signedOut > 0 ? ` ${t('twoFactor.othersSignedOut', { count: signedOut })}` : '';
    setMessage(enabled ? t('twoFactor.enabledNow') + others : null);
    setSignedOut(0);
  };
  if (codes) {
    return (
      <Page title={t('twoFactor.title')}>
        <BackupCodes codes={codes} done={finish} />
      </Page>
    );
  }

  return (
    <Page title={t('twoFactor.title')}>
      <p class="status-line">
        {t('twoFactor.status')}{' '}
        <strong class={`badge ${enabled ? 'on' : 'off'}`} data-testid="2fa-status">
          {enabled ? t('twoFactor.on') : t('twoFactor.off')}
        </strong>
      </p>
      {message && <Status tone="success">{message}</Status>}

      {!enabled && !enrolment && (
        <form class="card" onSubmit={onSubmit(start.run)}>
          <p>{t('twoFactor.intro')}</p>
          <Field label={t('twoFactor.confirmPassword')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
          <ErrorAlert error={start.error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={start.busy}>
              {t('twoFactor.setUp')}
            </button>
          </div>
        </form>
      )}

      {enrolment && (
        <form class="card" onSubmit={onSubmit(verify.run)}>
          <h2>{t('twoFactor.scanTitle')}</h2>
          <p>{t('twoFactor.scan')}</p>
          <img class="qr" src={enrolment.qrCodeDataUrl} width={200} height={200} alt={t('twoFactor.qrAlt')} />
          <p>{t('twoFactor.manual')}</p>
          <p>
            <code class="secret" data-testid="totp-secret" aria-label={t('twoFactor.manualKey')}>
              {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
            </code>
          </p>
          <Field label={t('signIn.code')} value={code} onValue={setCode} autoComplete="one-time-code" inputMode="numeric" required maxLength={8} />
          <ErrorAlert error={verify.error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={verify.busy}>
              {t('twoFactor.confirm')}
            </button>
            <button type="button" onClick={() => (setEnrolment(null), setCode(''))}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}

      {enabled && mode === 'none' && (
        <div class="actions">
          <button type="button" onClick={() => (setMode('regenerate'), setMessage(null))}>
            {t('twoFactor.regenerate')}
          </button>
          <button type="button" class="danger" onClick={() => (setMode('disable'), setMessage(null))}>
            {t('twoFactor.disable')}
          </button>
        </div>
      )}
      {enabled && mode === 'regenerate' && (
        <form class="card" onSubmit={onSubmit(regenerate.run)}>
          <h2>{t('twoFactor.regenerate')}</h2>
          <p>{t('twoFactor.regenerateHelp')}</p>
          <Field label={t('twoFactor.confirmPassword')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
          <ErrorAlert error={regenerate.error} />
          <div class="actions">
            <button type="submit" class="primary" disabled={regenerate.busy}>
              {t('twoFactor.regenerate')}
            </button>
            <button type="button" onClick={reset}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
      {enabled && mode === 'disable' && (
        <form class="card" onSubmit={onSubmit(disable.run)}>
          <h2>{t('twoFactor.disable')}</h2>
          <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
          <Field label={t('twoFactor.codeOrBackup')} value={code} onValue={setCode} autoComplete="one-time-code" required />
          <ErrorAlert error={disable.error} />
          <div class="actions">
            <button type="submit" class="danger" disabled={disable.busy}>
              {t('twoFactor.disable')}
            </button>
            <button type="button" onClick={reset}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}
    </Page>
  );
}
