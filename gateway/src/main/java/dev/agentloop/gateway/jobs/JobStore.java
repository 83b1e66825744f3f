package dev.agentloop.gateway.jobs;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Where jobs are kept. A save completes only once the job is durable. Today a file per job under
 * {@code storage.data_dir/jobs/}; the storage service can take this over behind the same two calls.
 */
public interface JobStore {

  /** Stores the whole job (by its {@code id}), replacing what was there. */
  Future<Void> save(JsonObject job);

  /** Every stored job. */
  Future<List<JsonObject>> loadAll();
}
