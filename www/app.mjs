// The members area's entry: loads each view's module, reads who is here, then
// shows the view the URL names.
import { start } from '/router.mjs';
import { startSession } from '/session.js';
import '/members.js';
import '/profile.mjs';
import '/account.mjs';

await startSession();
start();
