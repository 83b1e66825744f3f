package dev.agentloop.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The local store's log of recorded responses that have no other write (agent runs): read back at
 * start, and rewritten without the expired ones once they outnumber the live ones, so it stays about
 * the size of the keys that are still live.
 */
class ResultsLogTest extends LocalStoreTestBase {

  private LocalIdempotency open(LocalKeys keys) throws Exception {
    LocalIdempotency store = new LocalIdempotency(vertx, dataDir, new RecordFile(RecordFile.Io.REAL, Frames.MAX_PAYLOAD),
        keys);
    store.start().await(10, TimeUnit.SECONDS);
    return store;
  }

  private static KeyedWrite run(String key, long ttlMs) {
    return new KeyedWrite(OWNER, key, "ab", 200, new JsonObject().put("run", key).put("pad", "x".repeat(200)), ttlMs);
  }

  @Test
  void expired_results_are_compacted_away_and_live_ones_still_answer_after_a_restart() throws Exception {
    LocalKeys keys = new LocalKeys(100_000);
    LocalIdempotency store = open(keys);
    store.complete(run("kept", 3_600_000)).await(10, TimeUnit.SECONDS);
    for (int i = 0; i < LocalIdempotency.COMPACT_AFTER + 100; i++) {
      store.complete(run("short-" + i, 1)).await(10, TimeUnit.SECONDS);
    }
    Path log = dataDir.resolve("idempotency").resolve("results.log");
    long grown = Files.size(log);
    // each short key lived a millisecond; the last one may still be live at the sweep
    assertThat(store.sweep().await(10, TimeUnit.SECONDS)).isBetween(LocalIdempotency.COMPACT_AFTER + 99,
        LocalIdempotency.COMPACT_AFTER + 100);
    assertThat(Files.size(log)).as("rewritten with the live result only").isLessThan(grown / 100);
    assertThat(store.begin(OWNER, "kept", "ab", 1_000).await(10, TimeUnit.SECONDS).getJsonObject("body")
        .getString("run")).isEqualTo("kept");
    store.complete(run("after", 3_600_000)).await(10, TimeUnit.SECONDS);
    store.close().await(10, TimeUnit.SECONDS);

    LocalIdempotency restarted = open(new LocalKeys(100_000));
    JsonObject kept = restarted.begin(OWNER, "kept", "ab", 1_000).await(10, TimeUnit.SECONDS);
    assertThat(kept.getString("state")).isEqualTo("completed");
    assertThat(kept.getJsonObject("body").getString("run")).isEqualTo("kept");
    assertThat(restarted.begin(OWNER, "after", "ab", 1_000).await(10, TimeUnit.SECONDS).getJsonObject("body")
        .getString("run")).isEqualTo("after");
    assertThat(restarted.begin(OWNER, "short-7", "ab", 1_000).await(10, TimeUnit.SECONDS).getString("state"))
        .as("an expired key is free").isEqualTo("reserved");
    restarted.close().await(10, TimeUnit.SECONDS);
  }
}
