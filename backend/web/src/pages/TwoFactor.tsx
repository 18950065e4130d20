// Two-factor: status; enrol (QR image and manual key, confirm with a code, backup codes shown once with
// copy and download); regenerate backup codes; disable with password and code.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { t } from '../i18n';
import { authState, reloadUser } from '../session';
import { Field, FormCard, Page, Status, useAction, useCopy } from '../ui';
import { TrustedDevices } from './TrustedDevices';

interface Enrolment {
  secret: string;
  otpauthUrl: string;
  qrCodeDataUrl: string;
}

function BackupCodes({ codes, done }: { codes: string[]; done: () => void }) {
  const text = codes.join('\n') + '\n';
  const { copied, copy } = useCopy(text);
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
        <button type="button" onClick={() => void copy()}>
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

/** Below this many unused backup codes the page says to make new ones. */
const FEW_BACKUP_CODES = 3;

export function TwoFactor() {
  const enabled = authState().user?.twoFactorEnabled ?? false;
  /** Unused backup codes (GET /api/user/2fa), read again whenever 2FA or the codes change. */
  const [remaining, setRemaining] = useState<number | null>(null);
  const [codesVersion, setCodesVersion] = useState(0);
  useEffect(() => {
    if (!enabled) return setRemaining(null);
    api<{ backupCodesRemaining: number | null }>('/api/user/2fa').then(
      (s) => setRemaining(s.backupCodesRemaining),
      () => setRemaining(null),
    );
  }, [enabled, codesVersion]);
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
    setCodesVersion((v) => v + 1);
    await reloadUser();
  });
  const regenerate = useAction(async () => {
    const { backupCodes } = await api<{ backupCodes: string[] }>('/api/user/2fa/backup-codes', { method: 'POST', body: { password } });
    reset();
    setCodes(backupCodes);
    setCodesVersion((v) => v + 1);
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
      {enabled && remaining !== null && (
        <p class="status-line" data-testid="backup-codes-remaining">
          {t('twoFactor.backupRemaining', { count: remaining })}
        </p>
      )}
      {enabled && remaining !== null && remaining <= FEW_BACKUP_CODES && <Status tone="warning">{t('twoFactor.backupFew')}</Status>}
      {message && <Status tone="success">{message}</Status>}

      {!enabled && !enrolment && (
        <FormCard help={t('twoFactor.intro')} submit={t('twoFactor.setUp')} action={start}>
          <p class="hint" data-testid="2fa-signs-out-others">{t('twoFactor.signsOutOthers')}</p>
          <Field label={t('twoFactor.confirmPassword')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        </FormCard>
      )}

      {enrolment && (
        <FormCard title={t('twoFactor.scanTitle')} submit={t('twoFactor.confirm')} action={verify} onCancel={() => (setEnrolment(null), setCode(''))}>
          <p>{t('twoFactor.scan')}</p>
          <img class="qr" src={enrolment.qrCodeDataUrl} width={200} height={200} alt={t('twoFactor.qrAlt')} />
          <p>{t('twoFactor.manual')}</p>
          <p>
            <code class="secret" data-testid="totp-secret" aria-label={t('twoFactor.manualKey')}>
              {enrolment.secret.replace(/(.{4})/g, '$1 ').trim()}
            </code>
          </p>
          <Field label={t('signIn.code')} value={code} onValue={setCode} autoComplete="one-time-code" inputMode="numeric" required maxLength={8} />
        </FormCard>
      )}

      {enabled && mode === 'none' && <TrustedDevices />}
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
        <FormCard title={t('twoFactor.regenerate')} help={t('twoFactor.regenerateHelp')} submit={t('twoFactor.regenerate')} action={regenerate} onCancel={reset}>
          <Field label={t('twoFactor.confirmPassword')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
        </FormCard>
      )}
      {enabled && mode === 'disable' && (
        <FormCard title={t('twoFactor.disable')} submit={t('twoFactor.disable')} tone="danger" action={disable} onCancel={reset}>
          <Field label={t('field.password')} type="password" value={password} onValue={setPassword} autoComplete="current-password" required />
          <Field label={t('twoFactor.codeOrBackup')} value={code} onValue={setCode} autoComplete="one-time-code" required />
        </FormCard>
      )}
    </Page>
  );
}
