package dev.agentloop.it.tools;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * An independent JSON-schema validator (networknt) with format assertions on: draft 2020-12 or
 * draft 4 when the schema's {@code $schema} says so, OpenAPI 3.0 for schemas that use
 * {@code nullable}, draft 7 otherwise.
 */
public final class RealValidator {

  private RealValidator() {
  }

  public static List<String> errors(JsonObject schema, String json) {
    SchemaRegistryConfig config = SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build();
    Dialect dialect = switch (dialectOf(schema)) {
      case "openapi-3.0" -> Dialects.getOpenApi30();
      case "2020-12" -> Dialects.getDraft202012();
      case "draft-04" -> Dialects.getDraft4();
      default -> Dialects.getDraft7();
    };
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(dialect, b -> b.schemaRegistryConfig(config));
    Schema compiled = registry.getSchema(schema.encode(), InputFormat.JSON);
    return compiled.validate(json, InputFormat.JSON).stream().map(Error::toString).toList();
  }

  public static String dialectOf(JsonObject schema) {
    String declared = schema.getString("$schema", "");
    if (schema.encode().contains("\"nullable\":true")) {
      return "openapi-3.0";
    }
    return declared.contains("2020-12") ? "2020-12" : declared.contains("draft-04") ? "draft-04" : "draft-07";
  }
}
