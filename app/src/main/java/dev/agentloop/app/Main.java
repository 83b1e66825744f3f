package dev.agentloop.app;

import dev.agentloop.contract.config.AgentloopConfig;
import dev.agentloop.contract.config.ConfigException;
import dev.agentloop.contract.config.ConfigLoader;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code java -jar agentloop.jar}: reads the configuration, starts the services it names, and on
 * SIGTERM or SIGINT drains and exits 0. A start-up problem is one error line and a non-zero exit.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger("agentloop");
  private static final AtomicBoolean STOPPING = new AtomicBoolean();

  private Main() {
  }

  public static void main(String[] args) {
    JsonObject config;
    try {
      config = ConfigLoader.load(System.getenv());
    } catch (ConfigException e) {
      LOG.error("agentloop: bad configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    Agentloop app;
    try {
      app = Agentloop.start(config).await(3, TimeUnit.MINUTES);
    } catch (ConfigException e) {
      LOG.error("agentloop: bad configuration: {}", e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      LOG.error("agentloop: could not start: {}", Agentloop.describe(e).equals(e.getMessage()) || e instanceof Agentloop.StartupException
          ? e.getMessage() : Agentloop.describe(e));
      System.exit(1);
      return;
    }
    AgentloopConfig settings = app.settings().process();
    Signal.handle(new Signal("TERM"), signal -> stop(app, settings, signal.getName()));
    Signal.handle(new Signal("INT"), signal -> stop(app, settings, signal.getName()));
    LOG.info("agentloop: started (stop with SIGTERM or Ctrl-C; it serves on for {} ms, then in-flight work gets {} ms)",
        settings.shutdownPreStopDelayMs(), settings.shutdownGraceMs());
  }

  private static void stop(Agentloop app, AgentloopConfig settings, String signal) {
    if (!STOPPING.compareAndSet(false, true)) {
      LOG.warn("agentloop: second SIG{}, exiting now", signal);
      Runtime.getRuntime().halt(130);
      return;
    }
    long preStopMs = settings.shutdownPreStopDelayMs();
    long graceMs = settings.shutdownGraceMs();
    LOG.info("agentloop: SIG{} received, draining: readiness 503, still serving for {} ms, then up to {} ms for "
        + "in-flight work", signal, preStopMs, graceMs);
    Thread stopper = new Thread(() -> {
      int code = 0;
      try {
        app.shutdown().await(preStopMs + graceMs + 30_000, TimeUnit.MILLISECONDS);
        LOG.info("agentloop: stopped");
      } catch (Exception e) {
        LOG.error("agentloop: shutdown did not complete cleanly: {}", Agentloop.describe(e));
        code = 1;
      }
      System.exit(code);
    }, "agentloop-shutdown");
    stopper.start();
  }
}
