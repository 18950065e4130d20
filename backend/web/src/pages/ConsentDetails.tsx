// What an application asks for, as the consent screen shows it: the host of a metadata-document client (its
// name is only its own claim), its website, the account, the resource and the scopes. Used by /authorize and
// by /device (RFC 8628), so both screens say the same things the same way.
import { t } from '../i18n';
import { Status } from '../ui';

export interface ConsentClient {
  clientId: string;
  name: string;
  clientUri: string | null;
  host?: string | null;
}

const KNOWN_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

export function ConsentDetails({ client, scopes, resource, email }: { client: ConsentClient; scopes: string[]; resource?: string | null; email: string }) {
  return (
    <>
      {client.host && (
        <Status tone="warning">
          {t('authorize.clientHost')}{' '}
          <strong class="client-host">{client.host}</strong>
        </Status>
      )}
      {client.clientUri && (
        <p>
          {t('authorize.clientUri')} <a href={client.clientUri} rel="noopener noreferrer" target="_blank">{client.clientUri}</a>
        </p>
      )}
      <p>{t('authorize.scopesIntro', { email })}</p>
      {resource && <p>{t('authorize.resource', { resource })}</p>}
      <ul class="scopes">
        {scopes.map((s) => (
          <li key={s}>{KNOWN_SCOPES.includes(s) ? t(`scope.${s}`) : t('scope.other', { scope: s })}</li>
        ))}
      </ul>
    </>
  );
}
