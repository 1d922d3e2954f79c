// The members area's entry: loads each view's module, shows the view the URL
// names at once (each shows its own loading state), and reads who is here.
import { start } from '/router.mjs';
import { startSession } from '/session.js';
import '/members.js';
import '/profile.mjs';
import '/account.mjs';

start();
await startSession();
