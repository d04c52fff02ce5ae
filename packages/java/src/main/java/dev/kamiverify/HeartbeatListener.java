package dev.kamiverify;

/**
 * Callbacks of a managed {@link Heartbeat}. They run on the scheduler thread, one at a time;
 * keep them short. An exception thrown by a callback is swallowed and the loop goes on.
 */
public interface HeartbeatListener {
  /** A beat renewed the statecode. */
  default void onBeat(Result result) {}

  /** A transient failure; the loop retries by itself with backoff. */
  default void onTransientError(KamiException error, int attempt) {}

  /** The loop logged in again after the server forgot the session (Options.relogin). */
  default void onRelogin(LoginResult login) {}

  /** The session is over (stop offering licensed features); the loop has ended. */
  default void onLost(Heartbeat.LostReason reason, KamiException error) {}
}
