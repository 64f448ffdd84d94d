/**
 * What a check may do to the lab's environment beyond reading and writing Redis (the probe): the
 * narrow ports on its context. The session implements them with provisioning (session/ports.ts);
 * unit tests with fakes. Check kinds import nothing from runner/provision.
 */

/** The lab's Redis service, as the checks that crash, move or rename it see it. */
export interface RedisPort {
  /** Its service name in the lab (`lab.redisService`, `redis-db` by default): what hints call it. */
  readonly service: string;
  /** How the lab (or the student's compose file) runs it: its command and where its volumes mount. */
  readonly definition: { command: string[] | undefined; mountTargets: string[] };
  /** Kills Redis (SIGKILL: it saves nothing on the way out) and removes its container; its volumes stay. */
  crash(): Promise<void>;
  /**
   * Creates Redis's container again from its definition, with the same volumes, and waits until it
   * is ready; the context's probe follows it to its new address.
   */
  recreate(): Promise<void>;
  /**
   * Gives Redis (as the scripts reach it, by name) a new address on the lab network, cutting the
   * connections to the old one, where nothing answers afterwards (a script that kept the old address
   * is refused). Resolves with both addresses; DOCKER_FAILED if it cannot move.
   */
  moveAddress(): Promise<{ from: string; to: string }>;
  /**
   * Gives Redis (as the scripts reach it) the name `name` on the lab network instead of its service
   * name, at a new address (so that nothing reaches it by an address known before), or its service
   * name back when `name` is undefined; either cuts the connections to it. Only what runs after
   * knows the new name (the grader passes it in REDIS_IP). Resolves with both addresses;
   * DOCKER_FAILED if it cannot.
   */
  rename(name: string | undefined): Promise<{ from: string; to: string }>;
  /**
   * Starts readying, in the background, what the next `rename` to a new address takes (a container
   * that holds the old address), so that the rename does not wait for it. Idempotent until a rename
   * uses it; what it makes goes with the session.
   */
  readyRename(): void;
}

/** One HTTP request the grader sends to a service of the check network (the jobs-api lab's API). */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/jobs/abc`. */
  path: string;
  /** Sent as is; `contentType` says what it is (application/json by default when there is a body). */
  body?: string;
  contentType?: string;
  /** No answer within this long is a `timeout`, ms. */
  timeoutMs: number;
}

/**
 * What came of a request: an answer (any status, the body as UTF-8 text), or no answer and why:
 * `refused` (nothing listens on that address and port), `unreachable` (no connection within the
 * time: nothing answered at all, not even a refusal, which on a local network means the packets were
 * dropped), `timeout` (connected, no answer in time), `reset` (the connection dropped before an
 * answer: the server died or closed it). An answer and its absence are both data: whose
 * mistake it is, the kind decides (a Flask app listening on 127.0.0.1 is refused from outside).
 */
export type HttpExchange =
  | { answered: true; status: number; body: string; contentType: string | undefined; ms: number }
  | { answered: false; failure: 'refused' | 'unreachable' | 'timeout' | 'reset'; message: string; ms: number };

/** The grader's HTTP client into the check network, from the grading host. */
export interface HttpPort {
  /**
   * Sends `request` to `address:port` (a run's address on the lab network, see ScriptRun.address).
   * Throws DOCKER_FAILED when this grader cannot reach the check network at all (an engine whose
   * networks are not routed from here: Docker Desktop, a remote engine): its own blindness.
   */
  request(to: { address: string; port: number }, request: HttpRequest): Promise<HttpExchange>;
}
