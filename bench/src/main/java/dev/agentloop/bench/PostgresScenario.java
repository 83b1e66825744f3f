package dev.agentloop.bench;

import static dev.agentloop.bench.PersistScenario.CONVERSATIONS;
import static dev.agentloop.bench.PersistScenario.TURN_CLIENTS;

import dev.agentloop.testkit.ThrowawayPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chat turns persisted with PostgreSQL through the gateway against pgbench running the same SQL
 * with the same number of clients on a throwaway server.
 */
final class PostgresScenario extends AbstractScenario {

  private static final Logger LOG = LoggerFactory.getLogger("bench");
  private static final String SCENARIO =
      "Turns persisted/s through the gateway, PostgreSQL ÷ pgbench (same SQL, same clients)";

  /** Selected by {@code pg} and by {@code persist}, whose local-store figure it compares with. */
  PostgresScenario() {
    super("pg", "chat turns per second with PostgreSQL storage ÷ pgbench transactions per second, same SQL",
        false);
  }

  @Override
  public boolean selectedBy(List<String> only) {
    return only == null || only.contains("pg") || only.contains("persist");
  }

  @Override
  public List<Verdict> run(BenchContext ctx) throws Exception {
    if (!ctx.conversationsAvailable()) {
      return List.of(Verdict.notRun(SCENARIO, "≥ 0.40", "≥ 0.60", "no conversation API on this build"));
    }
    String why = ThrowawayPostgres.unavailable();
    if (why == null && !ThrowawayPostgres.hasTool("pgbench")) {
      why = "no pgbench beside the PostgreSQL binaries";
    }
    if (why != null) {
      return List.of(Verdict.notRun(SCENARIO, "≥ 0.40", "≥ 0.60", why));
    }
    LOG.info("== turns persisted with PostgreSQL, and pgbench with the same SQL");
    Report report = ctx.report();
    Loads loads = ctx.loads();
    try (ThrowawayPostgres pg = ThrowawayPostgres.start(BenchContext.freePort(), "-c max_connections=200")) {
      LOG.info("PostgreSQL started on 127.0.0.1:{} in {}", pg.port(), pg.dir());
      RequestLoad.Result gw;
      try (ServerProcess suite = ctx.startSuite("agentloop (one JVM, PostgreSQL)",
          Map.of("AGENTLOOP_STORAGE", "postgres", "AGENTLOOP_PG_URL", pg.url("postgres")))) {
        gw = PersistScenario.turns(ctx, "turns, PostgreSQL", suite);
      }
      pg.psql("INSERT INTO conversations (id, title, metadata, created_at) SELECT 'pgb-' || g, NULL, '{}', 0 "
          + "FROM generate_series(1, " + CONVERSATIONS + ") g");
      Path script = ctx.work.resolve("turn.sql");
      Files.writeString(script, """
          \\set c random(1, %d)
          SELECT id, title, metadata, created_at, message_count FROM conversations WHERE id = 'pgb-' || :c;
          SELECT body FROM messages WHERE conversation_id = 'pgb-' || :c ORDER BY idx;
          BEGIN;
          UPDATE conversations SET message_count = message_count + 2 WHERE id = 'pgb-' || :c RETURNING message_count AS mc \\gset
          INSERT INTO messages (conversation_id, idx, role, body) VALUES ('pgb-' || :c, :mc - 2, 'user', '{"role":"user","content":"Hello."}');
          INSERT INTO messages (conversation_id, idx, role, body) VALUES ('pgb-' || :c, :mc - 1, 'assistant', '{"role":"assistant","content":"Event loops answer many requests with few threads by never waiting on any of them."}');
          END;
          """.formatted(CONVERSATIONS));
      int seconds = (int) Math.max(1, loads.measureMs() / 1000);
      pg.pgbench(script, TURN_CLIENTS, (int) Math.max(1, loads.warmupMs() / 1000));
      double tps = pg.pgbench(script, TURN_CLIENTS, seconds);
      report.figures().put("pg_turns_per_s", BenchContext.round1(gw.throughput()))
          .put("pgbench_tps", BenchContext.round1(tps));
      Double cpu = report.serverCpu.get(gw);
      return List.of(Verdict.atLeast(SCENARIO, String.format("%,.0f turns/s", gw.throughput()),
          String.format("pgbench %,.0f tps", tps), gw.throughput() / tps, "×", 0.40, 0.60,
          String.format("%d clients, %d conversations; per turn: conversation and history SELECTs, then a "
              + "transaction with the message-count UPDATE and two message INSERTs; errors %d; pgbench -M prepared "
              + "-c %d -j 2 -T %d; agentloop CPU %s%%", TURN_CLIENTS, CONVERSATIONS, gw.latency().errors(), TURN_CLIENTS,
              seconds, cpu != null ? Math.round(cpu) : "?")));
    } catch (IOException | RuntimeException e) {
      LOG.error("PostgreSQL scenario failed", e);
      return List.of(Verdict.failed(SCENARIO, "≥ 0.40", "≥ 0.60", e.getMessage().split("\n")[0]));
    }
  }
}
