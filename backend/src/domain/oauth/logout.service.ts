// OpenID Connect RP-Initiated Logout 1.0: an application sends the browser to end_session_endpoint with the
// id_token it got (id_token_hint); the browser session that token names ends (and with it every client's
// tokens issued from it), then the browser goes back to a registered post_logout_redirect_uri with `state`.
import type { Clock } from '../ports';
import type { SessionService } from '../session.service';
import type { RequestContext } from '../types';
import { redirectTo } from './authorize-request';
import type { OAuthClientService } from './client.service';
import { AuthorizePageError } from './errors';
import type { IdTokenSigner } from './ports';

export interface EndSessionRequest {
  idTokenHint: string | null;
  clientId: string | null;
  postLogoutRedirectUri: string | null;
  state: string | null;
}

export class LogoutService {
  constructor(
    private readonly clients: OAuthClientService,
    private readonly sessions: SessionService,
    private readonly idTokens: IdTokenSigner,
    private readonly clock: Clock,
  ) {}

  /**
   * A redirect to the client's registered post-logout URI, or (no URI asked for) whether a session ended, for
   * a page. Anything that cannot be trusted (a hint we did not sign, a URI not registered for the client) is
   * an AuthorizePageError: shown, never redirected.
   */
  async endSession(req: EndSessionRequest, ctx: RequestContext): Promise<{ redirectTo: string } | { signedOut: boolean }> {
    const hint = req.idTokenHint ? await this.idTokens.verifyHint(req.idTokenHint) : null;
    if (req.idTokenHint && !hint) throw new AuthorizePageError('invalid_request', 'id_token_hint is not an ID token of this server');
    const hintClient = hint ? (hint.aud as string) : null;
    if (req.clientId && hintClient && req.clientId !== hintClient) throw new AuthorizePageError('invalid_request', 'client_id differs from the audience of id_token_hint');
    const clientId = hintClient ?? req.clientId;
    const client = clientId ? await this.clients.find(clientId) : null;
    if (req.postLogoutRedirectUri && (!client || !client.postLogoutRedirectUris.includes(req.postLogoutRedirectUri))) {
      throw new AuthorizePageError('invalid_redirect_uri', 'post_logout_redirect_uri is not registered for this application');
    }
    // Only a hint we signed names the session to end: a bare link cannot sign anyone out (logout CSRF).
    let signedOut = false;
    if (hint && typeof hint.sid === 'string') {
      const userId = hint.sub as string;
      const sid = hint.sid;
      const ended = await this.sessions.revokeWhere((r) => r.sessions.revoke({ sessionId: sid, userId }, 'logout', this.clock.now()), {
        userId,
        type: 'logout',
        ctx,
        metadata: { sessionId: sid, via: 'rp_initiated_logout', clientId },
      });
      signedOut = ended.length > 0;
    }
    if (req.postLogoutRedirectUri) return { redirectTo: redirectTo(req.postLogoutRedirectUri, { state: req.state }) };
    return { signedOut };
  }
}
