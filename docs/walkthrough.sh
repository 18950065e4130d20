#!/usr/bin/env bash
# A five-minute tour of the HTTP API with curl, to run top to bottom against a running server:
#
#   npm start                   # in one terminal
#   bash docs/walkthrough.sh    # in another (API=http://host:port for another server)
#
# It creates an account, signs in from two devices, lists the sessions, revokes one, turns on two-factor
# authentication and signs in with it. Every step prints the server's answer and checks it; the script
# stops at the first answer that is not what this tour says. The README's tour is these same commands,
# and test/http/walkthrough.test.ts runs this file against a fresh server, so both stay true.
#
# Needs curl 7.82 or newer (for --json) and node (reads the JSON answers, and plays the authenticator app).
set -euo pipefail
cd "$(dirname "$0")/.." # node finds the project's otplib from the repository root

API=${API:-http://localhost:3000}
EMAIL=${EMAIL:-ada.$(date +%s).$RANDOM@example.com} # a new account on every run
PASSWORD=${PASSWORD:-correct-Horse-battery-42}

# One field of the JSON answer on stdin: `field user.email`, `field backupCodes.0`.
field() { node -p 'const v=process.argv[1].split(".").reduce((o,k)=>o[k],JSON.parse(require("fs").readFileSync(0,"utf8")));typeof v=="object"?JSON.stringify(v):v' "$1"; }

step() { printf '\n== %s\n' "$*"; }
show() { printf '%s\n' "$1" | cut -c1-400; }
# expect WHAT VALUE PATTERN: stop the tour unless VALUE matches the (extended) regular expression.
expect() {
  if ! printf '%s' "$2" | grep -Eq -- "$3"; then
    printf 'walkthrough: expected %s to match /%s/, got: %s\n' "$1" "$3" "$2" >&2
    exit 1
  fi
  printf 'ok: %s\n' "$1"
}

step "0. The server is up"
if ! curl -sf "$API/health" >/dev/null; then
  echo "walkthrough: no server at $API; start one with \`npm start\` (or set API=...)" >&2
  exit 1
fi
echo "server at $API, account $EMAIL"

step "1. Create an account"
curl -s $API/api/auth/register --json '{"email":"'$EMAIL'","password":"'$PASSWORD'"}'
echo

step "2. Sign in from two devices: each sign-in is a session with its own tokens"
LAPTOP=$(curl -s $API/api/auth/login --json '{"email":"'$EMAIL'","password":"'$PASSWORD'","deviceName":"laptop"}')
PHONE=$(curl -s $API/api/auth/login --json '{"email":"'$EMAIL'","password":"'$PASSWORD'","deviceName":"phone"}')
TOKEN=$(echo "$LAPTOP" | field accessToken)
show "$LAPTOP"
expect "the new account is active and signed in" "$LAPTOP" '"status":"active"'
expect "the laptop got an access token" "$TOKEN" '^ey[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$'
expect "the phone got a session of its own" "$(echo "$PHONE" | field sessionId)" '^[0-9a-f-]{36}$'

step "3. List the sessions (the laptop's is \"current\")"
curl -s $API/api/user/sessions -H "Authorization: Bearer $TOKEN"
echo
SESSIONS=$(curl -s $API/api/user/sessions -H "Authorization: Bearer $TOKEN")
expect "two sessions, laptop and phone" "$SESSIONS" '"deviceName":"(laptop|phone)".*"deviceName":"(laptop|phone)"'
expect "the laptop's session is marked current" "$SESSIONS" '"current":true'

step "4. Revoke the phone's session: its access token stops working on the very next request"
curl -s -X DELETE $API/api/user/sessions/$(echo "$PHONE" | field sessionId) -H "Authorization: Bearer $TOKEN" -w '%{http_code}\n'
curl -s $API/api/user/me -H "Authorization: Bearer $(echo "$PHONE" | field accessToken)"
echo
expect "the phone's token is refused" "$(curl -s $API/api/user/me -H "Authorization: Bearer $(echo "$PHONE" | field accessToken)")" '"code":"SESSION_TERMINATED"'
expect "one session is left" "$(curl -s $API/api/user/sessions -H "Authorization: Bearer $TOKEN" | field sessions.length)" '^1$'

step "5. Turn on two-factor authentication"
ENROL=$(curl -s $API/api/user/2fa/enable -H "Authorization: Bearer $TOKEN" --json '{"password":"'$PASSWORD'"}')
SECRET=$(echo "$ENROL" | field secret)
echo "$ENROL" | field otpauthUrl
expect "a base32 secret for the authenticator app" "$SECRET" '^[A-Z2-7]{32}$'
# Scan the QR code (qrCodeDataUrl, a PNG of the otpauth URL above) or type the secret into an authenticator
# app, and send the code it shows. Here node plays the app, with the project's TOTP library.
CODE=$(node -e 'console.log(require("otplib").generateSync({ secret: process.argv[1] }))' "$SECRET")
VERIFIED=$(curl -s $API/api/user/2fa/verify -H "Authorization: Bearer $TOKEN" --json '{"code":"'$CODE'"}')
echo "$VERIFIED"
BACKUP=$(echo "$VERIFIED" | field backupCodes.0)
expect "2FA is on" "$VERIFIED" '"enabled":true'
expect "ten single-use backup codes came with it (shown once: keep them)" "$VERIFIED" '"backupCodes":\["[^"]+"(,"[^"]+"){9}\]'

step "6. Sign in again: the password alone now only gets a challenge"
MFA=$(curl -s $API/api/auth/login --json '{"email":"'$EMAIL'","password":"'$PASSWORD'","deviceName":"tablet"}')
echo "$MFA"
expect "a second factor is required" "$MFA" '"mfaRequired":true'

step "7. Answer the challenge with a backup code (or with the app's next code as \"code\")"
SIGNED_IN=$(curl -s $API/api/auth/login/2fa --json '{"mfaToken":"'$(echo "$MFA" | field mfaToken)'","backupCode":"'$BACKUP'"}')
show "$SIGNED_IN"
expect "signed in with the second factor" "$SIGNED_IN" '"accessToken":"ey'

step "Done"
echo "Next: docs/api.md (conventions, error codes), $API/api/docs (every route), docs/two-factor.md."
