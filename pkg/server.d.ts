// Types of `universal-members/server` (SPEC §14): the members server and the
// handlers that mount its routes in a host app. Written without @types/node, so a
// plain strict project type-checks; the node:http shapes below are the parts the
// handlers use (an IncomingMessage / ServerResponse, Express's and Connect's
// req/res, are all assignable to them).

import type { MailMessage } from './index.js';

/** The part of a node:http request the handlers read (`IncomingMessage`, Express's `req`). */
export interface NodeRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Express's mount path: the handler must be mounted at the root, where it is ''. */
  baseUrl?: string;
  /** A host body parser's result (express.json(), .text(), .raw()), taken when the stream was read before. */
  body?: unknown;
}

/** The part of a node:http response the handlers write (`ServerResponse`, Express's `res`). */
export interface NodeResponse {
  /** Whether the status line has gone out (an answer can no longer change it). */
  readonly headersSent: boolean;
  /** Sets one response header before the status line goes out. */
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  /** Sends the status line and headers. */
  writeHead(status: number, headers?: Record<string, string | number | readonly string[]>): unknown;
  /** Finishes the answer, with a last chunk of the body. */
  end(chunk?: unknown): unknown;
}

/** Express's and Connect's `next`: called with nothing for a path that is not a members route. */
export type NextFunction = (error?: unknown) => void;

/** Bounds on slow and greedy clients (the server only: a host app owns its connections). */
export interface ConnectionLimits {
  /** Request line and headers must arrive within this (MEMBERS_HEADERS_TIMEOUT_MS, 10 000). */
  headersTimeoutMs?: number;
  /** The whole request, body included (MEMBERS_REQUEST_TIMEOUT_MS, 30 000). */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection closes after this (MEMBERS_IDLE_TIMEOUT_MS, 5 000). */
  idleTimeoutMs?: number;
  /** Open connections in all (MEMBERS_MAX_CONNECTIONS, 1 000). */
  maxConnections?: number;
  /** Open connections from one address (MEMBERS_MAX_CONNECTIONS_PER_ADDRESS, 100). */
  maxConnectionsPerAddress?: number;
}


/** Options of the server and of both handlers; each opens one engine on `database`. */
export interface MembersServerOptions {
  /** `sqlite:./members.db` (the default), `postgres://…` or `memory:`. */
  database?: string;
  /** The admin key: `Authorization: <key>` makes a request admin, and pages sign in with it at /admin. None: nobody is admin over HTTP. */
  adminKey?: string;
  /** Other origins allowed to call with credentials (CORS) and to make cookie-carrying changes (CSRF). */
  corsOrigins?: string[];
  /** The members-area page's folder (default: the package's www/). */
  wwwDir?: string;
  /** Answer `/` with the members page too (the server: true; the handlers: false, the host app keeps its home). */
  rootPage?: boolean;
  /** New members: approved at once or left PENDING. */
  approval?: 'auto' | 'manual';
  /** Privacy of a new member unless given. */
  defaultPrivacy?: 'PUBLIC' | 'PRIVATE';
  /** Failed logins allowed per email / client address per window (defaults 10, 50, 900 s). */
  loginLimit?: { perEmail?: number; perAddress?: number; windowSeconds?: number };
  /** `required`: a member signs in only after verifying the email (MEMBERS_EMAIL_VERIFICATION). */
  emailVerification?: 'off' | 'required';
  /** The app's own mail transport, handed every message unchanged; else `smtpUrl`, else the `mailbox` file. */
  mailer?: { send(message: MailMessage): unknown };
  /** Send mail over SMTP (nodemailer) instead. */
  smtpUrl?: string;
  /** Development: append mail to this JSON-lines file instead of sending it. */
  mailbox?: string;
  /** The site's address, for links in mail. */
  siteUrl?: string;
  /** Take the client address from the last X-Forwarded-For entry (only behind a proxy that appends it). */
  trustProxy?: boolean;
  /** This process sends webhooks (MEMBERS_DELIVER_WEBHOOKS; default true). */
  deliverWebhooks?: boolean;
  /** Days events, deliveries and attempts are kept (MEMBERS_RETENTION_DAYS; default 30). */
  retentionDays?: number;
  /** Allow webhook endpoints on private addresses (MEMBERS_WEBHOOK_ALLOW_PRIVATE; default false). */
  webhookAllowPrivate?: boolean;
  /** Seconds after each failed webhook attempt (MEMBERS_WEBHOOK_RETRY_SCHEDULE). */
  webhookRetrySchedule?: number[];
  /** Slow- and greedy-client bounds (createMembersServer only). */
  connections?: ConnectionLimits;
  /** Gets the access log (one line a request of the members routes: method, path, status, time) and failures. Default: stdout. */
  log?: (line: string) => void;
}

/** What the server and the handlers carry to end their work. */
export interface Closable {
  /**
   * Ends the event streams, stops webhook delivery, the job runner and the
   * retention timer (finishing or giving back what is in flight), lets requests
   * being answered finish (up to 10 s), then closes the database. Call it when
   * the host stops (after `server.close()`); no request may come after it.
   * Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** A node:http / Express / Connect handler of the members routes. */
export interface MembersHandler extends Closable {
  /**
   * Answers a members route, or calls `next()` for any other path (without
   * `next`, answers 405 or 404 as the server does). Refuses, through
   * `next(error)`, to run under a mount path (`app.use('/x', handler)`).
   */
  (request: NodeRequest, response: NodeResponse, next?: NextFunction): void;
}

/** What a Fetch host knows of the connection that the Request does not carry. */
export interface FetchInfo {
  /** The client's address, for the per-address attempt limits (e.g. Hono on Node: `c.env.incoming.socket.remoteAddress`). */
  clientAddress?: string;
}

/** A Fetch-API handler of the members routes. */
export interface MembersFetchHandler extends Closable {
  /**
   * The Response of a members route (the event stream streams its body), or
   * null for any other path, which the host answers itself.
   */
  (request: Request, info?: FetchInfo): Promise<Response | null>;
}

/** The address a listening server is bound to. */
export interface ServerAddress {
  address: string;
  family: string;
  port: number;
}

/** The members server: a node:http `Server` with `shutdown()`. */
export interface MembersServer {
  /** Starts listening (node:http `server.listen`). */
  listen(port?: number, host?: string, listening?: () => void): this;
  /** Where it listens, once listening. */
  address(): ServerAddress | string | null;
  /** Stops accepting, ends the event streams and the background work (node:http `server.close`). */
  close(callback?: (error?: Error) => void): this;
  /** Subscribes to a node:http server event. */
  on(event: string, listener: (...args: any[]) => void): this;
  /** Stops accepting, lets in-flight requests and webhook attempts finish, then closes the database. */
  shutdown(): Promise<void>;
}

/**
 * A members server (not yet listening): the REST API, the members page (also
 * at `/`), the admin console, the event stream; every other path is 404.
 */
export function createMembersServer(options?: MembersServerOptions): MembersServer;

/**
 * The members routes as `(req, res, next)` middleware for node:http, Express
 * and Connect, sharing the server's cookies, CSRF checks and limits. Mount it
 * at the root and before body parsers (after express.json() a JSON body is
 * taken as parsed). `handler.close()` ends its work.
 */
export function membersHandler(options?: MembersServerOptions): MembersHandler;

/**
 * The members routes for Fetch-API hosts (Hono, Next.js route handlers):
 * `handler(request)` resolves to the Response, or null for a path that is not
 * a members route. `handler.close()` ends its work.
 */
export function fetchHandler(options?: MembersServerOptions): MembersFetchHandler;

/** Largest JSON body accepted (1 MiB). */
export const MAX_BODY_BYTES: number;
/** The HttpOnly cookie holding a browser's session (`__Host-` prefixed over https). */
export const SESSION_COOKIE: string;
/** Its companion, readable by scripts, holding no secret: "a session exists". */
export const LOGGED_IN_COOKIE: string;
/** The HttpOnly cookie of a page admin's sign-in. */
export const ADMIN_COOKIE: string;
