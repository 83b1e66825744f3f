package dev.agentloop.llm;

import dev.agentloop.contract.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code llm.aliases}: glob patterns ({@code *} any characters, {@code ?} one) naming a model, so a
 * client that insists on its own model id (e.g. {@code gpt-4o}) gets a mock model. Empty by
 * default; the first pattern that matches, in the order written, wins; a configured model's own id
 * always goes before any alias.
 */
record ModelAliases(List<Alias> aliases) {

  static final ModelAliases NONE = new ModelAliases(List.of());

  record Alias(String glob, Pattern pattern, String model) {
  }

  ModelAliases {
    aliases = List.copyOf(aliases);
  }

  static ModelAliases from(Settings llm, Map<String, ModelSpec> models) {
    if (!llm.has("aliases")) {
      return NONE;
    }
    Settings section = llm.section("aliases");
    List<Alias> aliases = new ArrayList<>();
    for (String glob : section.json().fieldNames()) {
      if (!(section.json().getValue(glob) instanceof String model)) {
        throw section.error(glob, "must name a model");
      }
      if (!models.containsKey(model)) {
        throw section.error(glob, "names '" + model + "', which is not among llm.models");
      }
      aliases.add(new Alias(glob, compile(glob), model));
    }
    return new ModelAliases(aliases);
  }

  /** The model an alias gives {@code name}, or null. */
  String resolve(String name) {
    for (Alias alias : aliases) {
      if (alias.pattern().matcher(name).matches()) {
        return alias.model();
      }
    }
    return null;
  }

  static Pattern compile(String glob) {
    StringBuilder regex = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      if (c == '*' || c == '?') {
        if (!literal.isEmpty()) {
          regex.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        regex.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (!literal.isEmpty()) {
      regex.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(regex.toString(), Pattern.DOTALL);
  }
}
