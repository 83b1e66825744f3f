package dev.agentloop.llm.schema;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** What a string property's name or description says it holds, so the user's words can fill it. */
enum HintRole {
  PLACE, PERSON, QUERY, TOPIC, NONE;

  private static final Set<String> PLACES = Set.of("city", "location", "place", "town", "country", "region",
      "destination", "origin", "address", "where", "venue", "area", "locality", "airport", "station", "state");
  private static final Set<String> PEOPLE = Set.of("name", "person", "user", "username", "author", "attendee",
      "contact", "recipient", "who", "owner", "customer", "assignee", "guest", "artist", "company", "organization");
  private static final Set<String> QUERIES = Set.of("query", "q", "search", "keywords", "keyword", "term", "terms",
      "prompt", "question", "phrase", "text", "input", "message", "content");
  private static final Set<String> TOPICS = Set.of("topic", "subject", "title", "category", "tag", "tags", "genre",
      "about", "theme", "summary");
  private static final int DESCRIPTION_CHARS = 200;
  private static final int NAME_CHARS = 64;
  private static final Pattern CAMEL = Pattern.compile("([a-z])([A-Z])");
  private static final Pattern NON_LETTERS = Pattern.compile("[^a-z]+");

  static HintRole of(String name, String description) {
    String head = name == null ? "" : name.length() > NAME_CHARS ? name.substring(0, NAME_CHARS) : name;
    HintRole byName = ofWords(CAMEL.matcher(head).replaceAll("$1 $2"));
    if (byName != NONE || description == null) {
      return byName;
    }
    return ofWords(description.length() > DESCRIPTION_CHARS ? description.substring(0, DESCRIPTION_CHARS) : description);
  }

  private static HintRole ofWords(String text) {
    for (String word : NON_LETTERS.split(text.toLowerCase(Locale.ROOT))) {
      String singular = word.endsWith("ies") ? word.substring(0, word.length() - 3) + "y"
          : word.endsWith("s") && word.length() > 3 ? word.substring(0, word.length() - 1) : word;
      if (PLACES.contains(word) || PLACES.contains(singular)) {
        return PLACE;
      }
      if (PEOPLE.contains(word) || PEOPLE.contains(singular)) {
        return PERSON;
      }
      if (QUERIES.contains(word)) {
        return QUERY;
      }
      if (TOPICS.contains(word) || TOPICS.contains(singular)) {
        return TOPIC;
      }
    }
    return NONE;
  }
}
