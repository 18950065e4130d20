// docs/walkthrough.sh is the tour a new user runs against `npm start`, and the README's tour is its commands.
// Here it runs against a fresh server (its traffic checked against docs/openapi.yaml like every test's), and
// the server's state afterwards is checked independently of what the script itself checks.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, useTestApp } from '../helpers/app';

const SCRIPT = new URL('../../docs/walkthrough.sh', import.meta.url);
const README = new URL('../../README.md', import.meta.url);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runWalkthrough(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    // The script's `node` is the one running the tests (Node 24 in CI's second run), not whatever PATH has first.
    const path = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
    const child = spawn('bash', [SCRIPT.pathname], { env: { ...process.env, PATH: path, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The shell lines of the README's tour: the ```bash block under "## A five-minute tour". */
function readmeTourLines(): string[] {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf('## A five-minute tour');
  assert.ok(start >= 0, 'README has a "## A five-minute tour" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const block = /```bash\n([\s\S]*?)```/.exec(section);
  assert.ok(block, 'the tour has a ```bash block');
  return block[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

const scriptLines = () => new Set(readFileSync(SCRIPT, 'utf8').split('\n').map((l) => l.trim()));

describe('docs/walkthrough.sh against a running server', () => {
  const app = useTestApp();

  it('when run top to bottom, then every step passes and the account ends with 2FA on, the phone signed out and a second-factor session', async () => {
    const email = `walkthrough.${Date.now()}@example.test`;
    const run = await runWalkthrough({ API: app.url, EMAIL: email });
    assert.equal(run.code, 0, `walkthrough failed:\n${run.stderr}\n${run.stdout}`);
    const steps = [...run.stdout.matchAll(/^== (\d+)\./gm)].map((m) => Number(m[1]));
    assert.deepEqual(steps, [0, 1, 2, 3, 4, 5, 6, 7], 'every step ran, in order');
    const expects = (readFileSync(SCRIPT, 'utf8').match(/^expect /gm) ?? []).length;
    assert.equal((run.stdout.match(/^ok: /gm) ?? []).length, expects, 'every check in the script ran and passed');

    // Independently of the script: the password alone gets a challenge, and a backup code the tour printed
    // (not the one it used) signs in to an account whose sessions are the laptop and the tablet, not the phone.
    const challenge = await app.http.post('/api/auth/login').send({ email, password: 'correct-Horse-battery-42' });
    assert.equal(challenge.body.mfaRequired, true, JSON.stringify(challenge.body));
    const printed = /"backupCodes":\[([^\]]+)\]/.exec(run.stdout);
    assert.ok(printed, 'the tour shows the backup codes');
    const unused = JSON.parse(`[${printed[1]}]`)[1] as string;
    const signedIn = await app.http.post('/api/auth/login/2fa').send({ mfaToken: challenge.body.mfaToken, backupCode: unused });
    assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
    const sessions = (await app.http.get('/api/user/sessions').set(bearer(signedIn.body.accessToken))).body.sessions as { deviceName: string | null; aal: number }[];
    assert.deepEqual(sessions.map((s) => s.deviceName ?? '(this test)').sort(), ['(this test)', 'laptop', 'tablet']);
    assert.equal(sessions.find((s) => s.deviceName === 'tablet')?.aal, 2);
  });

  it('when a step gets an answer the tour does not expect, then the script stops there with a message naming the check', async () => {
    // "password" is on the common-password list: registration is refused, so the account is never active.
    const run = await runWalkthrough({ API: app.url, EMAIL: `walkthrough.bad.${Date.now()}@example.test`, PASSWORD: 'password' });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /expected the new account is active and signed in/);
    assert.doesNotMatch(run.stdout, /^== 3\./m, 'no later step ran');
  });

  it('when no server listens at API, then the script says to start one with npm start', async () => {
    const run = await runWalkthrough({ API: 'http://127.0.0.1:9' });
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /npm start/);
  });
});

describe('the README tour', () => {
  it('when the README shows a tour command, then docs/walkthrough.sh runs that exact line', () => {
    const lines = readmeTourLines();
    assert.ok(lines.filter((l) => l.includes('curl ')).length >= 6, 'the tour shows the curl commands');
    const script = scriptLines();
    const missing = lines.filter((l) => !script.has(l));
    assert.deepEqual(missing, [], 'README tour lines that docs/walkthrough.sh does not run');
  });

  it('when the README is read from a clone, then none of its links leaves the repository', () => {
    const readme = readFileSync(README, 'utf8');
    const links = [...readme.matchAll(/\]\(([^)]+)\)/g)].map((m) => m[1]);
    assert.deepEqual(links.filter((l) => l.startsWith('..') || l.startsWith('/')), []);
    const local = links.filter((l) => !/^[a-z]+:/.test(l) && !l.startsWith('#')).map((l) => l.split('#')[0]);
    assert.deepEqual(local.filter((l) => !existsSync(new URL(`../../${l}`, import.meta.url))), [], 'links to files the repository does not have');
    assert.doesNotMatch(readme, /\.\.\/shared|api-contract\.md/);
  });
});
