// Embedding (SPEC §14): `universal-members/server`'s membersHandler mounted in a
// real Express 5 app and fetchHandler in a real Hono app on @hono/node-server,
// each next to the app's own routes, over real HTTP on SQLite. The same checks
// on both: the app keeps its routes and its 404; register and login set the
// session cookie and the cookie is the member; a cookie-carrying change needs
// the site's Origin (CSRF); the members page and its module files are served;
// the admin key is admin; the event stream streams through the host; close()
// ends the work. Express and Hono are the repository's dev dependencies,
// resolved from MEMBERS_REPO_ROOT (the tests run from the packed tarball).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import http from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { membersHandler, fetchHandler } from 'universal-members/server';
import { freshDatabase } from './support.mjs';

const ROOT = process.env.MEMBERS_REPO_ROOT;
if (!ROOT) throw new Error('the embedding tests need MEMBERS_REPO_ROOT (express and hono are the repository\'s dev dependencies)');
const fromRoot = createRequire(join(ROOT, 'package.json'));
const express = fromRoot('express');
const { Hono } = fromRoot('hono');
const { serve } = fromRoot('@hono/node-server');
const { getConnInfo } = fromRoot('@hono/node-server/conninfo');

const AUTH = '/members/v1/auth';
const BASE = '/members/v1/members';
const FOREIGN = 'https://evil.example';
const adminKey = randomBytes(24).toString('base64url');
const password = 'a long password 1';
let counter = 0;
const newEmail = (prefix) => `${prefix}.${(counter += 1)}.${randomBytes(3).toString('hex')}@example.com`;

/** The Set-Cookie values of a response as { name: value }. */
function cookiesOf(response) {
  return Object.fromEntries(response.headers.getSetCookie().map((line) => {
    const pair = line.split(';')[0];
    const eq = pair.indexOf('=');
    return [pair.slice(0, eq), pair.slice(eq + 1)];
  }));
}

/** One fetch → `{ status, headers, text, body, cookies }`. */
async function call(baseUrl, method, path, { body, headers = {} } = {}) {
  const sent = { ...headers };
  if (body !== undefined) sent['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers: sent, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed, cookies: cookiesOf(response) };
}

const appCode = (response) => response.body?.details?.applicationError?.code;
const listening = (server) => new Promise((resolve) => server.once('listening', resolve));

/** Express 5: the app's JSON parser and routes, the members routes, the app's fallbacks. */
async function expressApp(database) {
  const members = membersHandler({ database, adminKey, log: () => {} });
  const app = express();
  // The usual order: a global body parser first (the handler takes its parse of a JSON body).
  app.use(express.json());
  app.get('/hello', (request, response) => response.send('hello from express'));
  app.post('/echo', (request, response) => response.json({ echoed: request.body }));
  app.use(members);
  // Mounted under a prefix it refuses, naming the mistake.
  app.use('/members-api', members);
  app.use((request, response) => response.status(404).send('express 404'));
  app.use((error, request, response, next) => response.status(error.status ?? 500).json({ appError: error.message }));
  const server = app.listen(0, '127.0.0.1');
  await listening(server);
  return {
    name: 'Express',
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    hello: 'hello from express',
    notFound: 'express 404',
    members,
    // Open connections too: a request left hanging must not hold the test's end.
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
    server,
  };
}

/** Hono on @hono/node-server: the app's routes, the members routes as middleware, the app's 404. */
async function honoApp(database) {
  const members = fetchHandler({ database, adminKey, log: () => {} });
  const app = new Hono();
  app.get('/hello', (c) => c.text('hello from hono'));
  app.post('/echo', async (c) => c.json({ echoed: await c.req.json() }));
  app.use('*', async (c, next) => (await members(c.req.raw, { clientAddress: getConnInfo(c).remote.address })) ?? next());
  app.notFound((c) => c.text('hono 404', 404));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await listening(server);
  return {
    name: 'Hono',
    baseUrl: `http://127.0.0.1:${server.address().port}`,
    hello: 'hello from hono',
    notFound: 'hono 404',
    members,
    // Open connections too: a request left hanging must not hold the test's end.
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
    server,
  };
}

for (const makeApp of [expressApp, honoApp]) {
  // A request the handler never answers must fail the test, not hang it.
  describe(`mounted in ${makeApp === expressApp ? 'Express' : 'Hono'}`, { timeout: 15_000 }, () => {
    let app;
    let database;
    let user;
    before(async () => {
      database = await freshDatabase('sqlite');
      app = await makeApp(database.url);
    });
    after(async () => {
      await app.members.close();
      await app.close();
      await database.dispose();
    });

    test("the app's own routes and 404 stay the app's", async () => {
      const hello = await call(app.baseUrl, 'GET', '/hello');
      assert.equal(hello.status, 200);
      assert.equal(hello.text, app.hello);
      const echo = await call(app.baseUrl, 'POST', '/echo', { body: { a: 1 } });
      assert.deepEqual(echo.body, { echoed: { a: 1 } }, 'the app still reads its own bodies');
      for (const path of ['/nope', '/', '/pkg/node.mjs', '/membersx']) {
        const missing = await call(app.baseUrl, 'GET', path);
        assert.equal(missing.status, 404, `${path}: ${missing.text}`);
        assert.equal(missing.text, app.notFound, `${path} is answered by the app's fallback`);
      }
      const posted = await call(app.baseUrl, 'POST', '/nope', { body: {} });
      assert.equal(posted.text, app.notFound, 'a POST elsewhere is the app\'s too');
    });

    test('register and login set the session cookie; the cookie is the member', async () => {
      const email = newEmail(app.name.toLowerCase());
      const cookieMode = { 'x-members-session': 'cookie', origin: app.baseUrl };
      const registered = await call(app.baseUrl, 'POST', `${AUTH}/register`, { body: { email, password }, headers: cookieMode });
      assert.equal(registered.status, 200, registered.text);
      assert.equal(registered.body.sessionToken, undefined, 'no token in the body in cookie mode');
      assert.ok(registered.cookies.members_session, registered.headers.getSetCookie().join(' | '));
      assert.match(registered.headers.getSetCookie().find((line) => line.startsWith('members_session=')), /HttpOnly/);
      const loggedIn = await call(app.baseUrl, 'POST', `${AUTH}/login`, { body: { email, password }, headers: cookieMode });
      assert.equal(loggedIn.status, 200, loggedIn.text);
      const token = loggedIn.cookies.members_session;
      assert.ok(token && token.length >= 40);
      const me = await call(app.baseUrl, 'GET', `${BASE}/my?fieldsets=FULL`, { headers: { cookie: `members_session=${token}` } });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.body.member?.id, registered.body.member.id, 'getCurrentMember with the cookie is the member');
      assert.equal(me.body.member.loginEmail, email);
      const visitor = await call(app.baseUrl, 'GET', `${BASE}/my`);
      assert.equal(visitor.body?.member, undefined, 'no cookie, no member');
      user = { id: registered.body.member.id, token, email };
    });

    test('over https (x-forwarded-proto) the cookie is __Host- prefixed and Secure', async () => {
      const httpsOrigin = app.baseUrl.replace(/^http:/, 'https:');
      const headers = { 'x-members-session': 'cookie', origin: httpsOrigin, 'x-forwarded-proto': 'https' };
      const loggedIn = await call(app.baseUrl, 'POST', `${AUTH}/login`, { body: { email: user.email, password }, headers });
      assert.equal(loggedIn.status, 200, loggedIn.text);
      const line = loggedIn.headers.getSetCookie().find((one) => one.startsWith('__Host-members_session='));
      assert.ok(line, loggedIn.headers.getSetCookie().join(' | '));
      assert.match(line, /Secure/);
      assert.equal(loggedIn.cookies.members_session, undefined);
    });

    test('a cookie-carrying change needs the site\'s Origin (CSRF); with it, it is made', async () => {
      const cookie = `members_session=${user.token}`;
      const change = (origin, title) => call(app.baseUrl, 'PATCH', `${BASE}/${user.id}`, {
        body: { member: { id: user.id, profile: { title } } },
        headers: origin === undefined ? { cookie } : { cookie, origin },
      });
      for (const origin of [undefined, FOREIGN, 'null']) {
        const refused = await change(origin, 'csrf');
        assert.equal(refused.status, 403, `origin ${origin}: ${refused.text}`);
        assert.equal(appCode(refused), 'CSRF_REJECTED', refused.text);
      }
      const me = await call(app.baseUrl, 'GET', `${BASE}/my?fieldsets=FULL`, { headers: { cookie } });
      assert.notEqual(me.body.member.profile.title, 'csrf', 'nothing changed');
      const made = await change(app.baseUrl, 'from this site');
      assert.equal(made.status, 200, made.text);
      assert.equal(made.body.member.profile.title, 'from this site');
    });

    test('the members page and its module files are served', async () => {
      const page = await call(app.baseUrl, 'GET', '/members');
      assert.equal(page.status, 200, page.text);
      assert.match(page.headers.get('content-type'), /^text\/html/);
      assert.match(page.text, /<script type="module" src="\/app\.mjs">/);
      for (const path of ['/app.mjs', '/router.mjs', '/pkg/browser.mjs']) {
        const file = await call(app.baseUrl, 'GET', path);
        assert.equal(file.status, 200, `${path}: ${file.text.slice(0, 200)}`);
        assert.match(file.headers.get('content-type'), /^text\/javascript/, path);
        assert.match(file.text, /\bimport\b|\bexport\b/, path);
      }
      const admin = await call(app.baseUrl, 'GET', '/admin');
      assert.equal(admin.status, 200);
      assert.match(admin.headers.get('content-type'), /^text\/html/);
      const openapi = await call(app.baseUrl, 'GET', '/openapi.json');
      assert.equal(openapi.body?.openapi?.startsWith('3.1'), true, openapi.text.slice(0, 100));
    });

    test('the admin key is admin; without it an admin call is refused', async () => {
      const member = { member: { loginEmail: newEmail('created') } };
      const refused = await call(app.baseUrl, 'POST', BASE, { body: member });
      assert.ok(refused.status === 401 || refused.status === 403, refused.text);
      const created = await call(app.baseUrl, 'POST', BASE, { body: member, headers: { authorization: adminKey } });
      assert.equal(created.status, 200, created.text);
      const full = await call(app.baseUrl, 'GET', `${BASE}/${user.id}?fieldsets=FULL`, { headers: { authorization: adminKey } });
      assert.equal(full.body.member?.loginEmail, user.email, full.text);
      const signIn = await call(app.baseUrl, 'POST', `${AUTH}/admin-login`, { body: { adminKey }, headers: { origin: app.baseUrl } });
      assert.equal(signIn.status, 200, signIn.text);
      assert.ok(signIn.cookies.members_admin, 'the page admin cookie is set');
      const session = await call(app.baseUrl, 'GET', `${AUTH}/admin-session`, { headers: { cookie: `members_admin=${signIn.cookies.members_admin}` } });
      assert.deepEqual(session.body, { admin: true });
    });

    test('the 1 MiB body limit holds through the host', async () => {
      // Express's own express.json() (100 kB by default) answers first there.
      const nickname = 'n'.repeat(1024 * 1024);
      const response = await call(app.baseUrl, 'POST', BASE, { body: { member: { loginEmail: newEmail('big'), profile: { nickname } } }, headers: { authorization: adminKey } });
      assert.equal(response.status, 413, response.text.slice(0, 200));
      if (app.name === 'Hono') assert.equal(appCode(response), 'PAYLOAD_TOO_LARGE', response.text);
      // The connection is closed, not left half-read for the next requests to fail on.
      for (let i = 0; i < 3; i += 1) assert.equal((await call(app.baseUrl, 'GET', '/hello')).text, app.hello);
    });

    test('the event stream streams through the host', async () => {
      const controller = new AbortController();
      const response = await fetch(`${app.baseUrl}/members/v1/events/stream`, { headers: { authorization: adminKey }, signal: controller.signal });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type'), /^text\/event-stream/);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const email = newEmail('streamed');
      const created = await call(app.baseUrl, 'POST', BASE, { body: { member: { loginEmail: email } }, headers: { authorization: adminKey } });
      assert.equal(created.status, 200, created.text);
      const deadline = Date.now() + 5_000;
      while (!text.includes(email)) {
        assert.ok(Date.now() < deadline, `no event for the new member within 5 s: ${text}`);
        const { value, done } = await reader.read();
        assert.equal(done, false, `the stream ended early: ${text}`);
        text += value;
      }
      assert.match(text, /^retry: 2000$/m);
      assert.match(text, /^id: \d+$/m);
      assert.match(text, /^event: \S+$/m);
      controller.abort();
    });
  });
}

test('under a mount path (app.use("/members-api", handler)) it refuses, naming the fix', async () => {
  const database = await freshDatabase('sqlite');
  const app = await expressApp(database.url);
  try {
    const mounted = await call(app.baseUrl, 'GET', '/members-api/members/v1/members');
    assert.equal(mounted.status, 500, mounted.text);
    assert.match(mounted.body.appError, /must be mounted at the root/);
  } finally {
    await app.members.close();
    await app.close();
    await database.dispose();
  }
});

test('on a bare node:http server (no next) what is not a members route is 404 and 405, as the server answers', async () => {
  const database = await freshDatabase('sqlite');
  const members = membersHandler({ database: database.url, adminKey, log: () => {} });
  const server = http.createServer(members).listen(0, '127.0.0.1');
  await listening(server);
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  try {
    const missing = await call(baseUrl, 'GET', '/nope');
    assert.equal(missing.status, 404);
    assert.equal(appCode(missing), 'NOT_FOUND');
    const posted = await call(baseUrl, 'POST', '/nope', { body: {} });
    assert.equal(posted.status, 405);
    const listed = await call(baseUrl, 'GET', BASE, { headers: { authorization: adminKey } });
    assert.equal(listed.status, 200, listed.text);
  } finally {
    server.close();
    await members.close();
    await database.dispose();
  }
});
