package dev.agentloop.storage;

import dev.agentloop.common.Addresses;
import dev.agentloop.common.config.Settings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The storage-service: answers its ping with the backend it runs. */
public final class StorageVerticle extends VerticleBase {

  @Override
  public Future<?> start() {
    String backend = Settings.root(config()).section("storage").oneOf("backend", "local", List.of("local", "postgres"));
    return vertx.eventBus().consumer(Addresses.STORAGE_PING,
        msg -> msg.reply(new JsonObject().put("service", "storage").put("backend", backend))).completion();
  }
}
