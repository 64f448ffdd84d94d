/**
 * What a check may do to the lab's environment beyond reading and writing Redis (the probe): the
 * narrow ports on its context. The session implements them with provisioning (session/ports.ts);
 * unit tests with fakes. Check kinds import nothing from runner/provision.
 */

/** The lab's Redis service, as the checks that crash or move it see it. */
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
   * connections to the old one. Resolves with both addresses; DOCKER_FAILED if it cannot move.
   */
  moveAddress(): Promise<{ from: string; to: string }>;
}
