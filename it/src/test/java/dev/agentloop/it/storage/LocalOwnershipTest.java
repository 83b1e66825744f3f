package dev.agentloop.it.storage;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** The ownership suite against the embedded file store. */
class LocalOwnershipTest extends OwnershipSuite {

  @Override
  protected void openBackend() {
  }

  @Override
  protected void closeBackend() {
  }

  @Override
  protected JsonObject storageConfig() {
    try {
      return new JsonObject().put("backend", "local")
          .put("data_dir", Files.createTempDirectory("agentloop-owners-").toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
