package dev.agentloop.deploy.storage;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;

/** The storage suite against the embedded file store (the default backend). */
class LocalConversationStorageTest extends ConversationStorageSuite {

  @Override
  protected void openBackend() {
  }

  @Override
  protected void closeBackend() {
  }

  @Override
  protected JsonObject storageConfig() {
    return new JsonObject().put("backend", "local");
  }

  @Override
  protected Map<String, String> processEnv(Path dataDir) {
    return Map.of("AGENTLOOP_STORAGE", "local", "AGENTLOOP_DATA_DIR", dataDir.toString());
  }

  @Override
  protected String backend() {
    return "local";
  }
}
