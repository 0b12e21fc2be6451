/* The C ABI as a C program sees it (C99, include/vigil/vigil.h, -lvigil):
 * every call, every status, exact findings and messages. Exits 0 when all
 * checks pass; prints each failed check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vigil/version.hpp> /* macros only: the generated version, C-compatible */
#include <vigil/vigil.h>

static int failures = 0;

#define CHECK(condition)                                                \
  do {                                                                  \
    if (!(condition)) {                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      ++failures;                                                       \
    }                                                                   \
  } while (0)

static int contains(const char* text, const char* part) { return text && strstr(text, part) != NULL; }

static const char* kRules =
    "rule IRP-001 \"Untested plan\" {\n"
    "  severity high\n"
    "  for vendor v\n"
    "  when v.tier == \"critical\" and (missing(v.tested) or v.tested < today - 1y)\n"
    "  message \"{v.name} untested\"\n"
    "}\n";

static const char* kFacts =
    "{\"entities\": [{\"id\": \"V1\", \"kind\": \"vendor\", \"attributes\": {\"name\": \"Acme\", \"tier\": \"critical\"}},"
    " {\"id\": \"V2\", \"kind\": \"vendor\", \"attributes\": {\"name\": \"Beta\", \"tier\": \"low\"}}]}";

int main(void) {
  char* error = NULL;
  char* findings = NULL;
  CHECK(strcmp(vigil_version(), VIGIL_VERSION_STRING) == 0);

  vigil_engine* engine = vigil_engine_new();
  CHECK(engine != NULL);
  CHECK(vigil_engine_add_rules(engine, "irp.vigil", kRules, &error) == VIGIL_OK);
  CHECK(error == NULL);
  CHECK(vigil_engine_load_facts_json(engine, kFacts, &error) == VIGIL_OK);

  CHECK(vigil_engine_evaluate(engine, "2026-06-30", &findings, &error) == VIGIL_OK);
  CHECK(contains(findings, "\"rule\":\"IRP-001\",\"entity\":\"V1\",\"kind\":\"vendor\",\"severity\":\"high\","
                           "\"message\":\"Acme untested\""));
  CHECK(!contains(findings, "\"V2\""));
  vigil_string_free(findings);

  /* An overlay: a candidate vendor, for this call only. */
  CHECK(vigil_engine_evaluate_overlay(engine,
                                      "{\"entities\": [{\"id\": \"V9\", \"kind\": \"vendor\", \"attributes\": "
                                      "{\"name\": \"Candidate\", \"tier\": \"critical\", \"tested\": \"2020-01-01\"}}]}",
                                      "2026-06-30", &findings, &error) == VIGIL_OK);
  CHECK(contains(findings, "\"entity\":\"V9\"") && contains(findings, "Candidate untested"));
  CHECK(!contains(findings, "\"V1\""));  /* unchanged by the overlay: not repeated */
  vigil_string_free(findings);
  CHECK(vigil_engine_evaluate(engine, "2026-06-30", &findings, NULL) == VIGIL_OK);
  CHECK(!contains(findings, "V9"));  /* the engine did not change */
  vigil_string_free(findings);

  /* Rule errors carry file:line:col; the old rules stay. */
  CHECK(vigil_engine_add_rules(engine, "bad.vigil", "rule BAD {\n  severity low\n  for vendor v\n  when v.tier ==\n  message \"m\"\n}\n",
                               &error) == VIGIL_RULE_ERROR);
  CHECK(contains(error, "bad.vigil:5:3: error: expected an expression but found 'message'"));
  vigil_string_free(error);
  error = NULL;
  const char* names[] = {"a.vigil", "b.vigil"};
  const char* texts[] = {kRules, "rule LOW {\n  severity low\n  for vendor v\n  when v.tier == \"low\"\n  message \"{v.name}\"\n}\n"};
  CHECK(vigil_engine_replace_rules(engine, names, texts, 2, &error) == VIGIL_OK);
  CHECK(vigil_engine_evaluate(engine, "2026-06-30", &findings, &error) == VIGIL_OK);
  CHECK(contains(findings, "\"rule\":\"LOW\",\"entity\":\"V2\""));
  vigil_string_free(findings);
  CHECK(vigil_engine_replace_rules(engine, names, texts, 0, &error) == VIGIL_OK);  /* no rules at all */
  CHECK(vigil_engine_evaluate(engine, NULL, &findings, &error) == VIGIL_OK);
  CHECK(findings != NULL && strcmp(findings, "[]\n") == 0);
  vigil_string_free(findings);

  /* Input errors: bad JSON, a missing database, a bad date, NULL arguments; never a crash. */
  CHECK(vigil_engine_load_facts_json(engine, "{\"entities\": [", &error) == VIGIL_INPUT_ERROR);
  CHECK(contains(error, "<facts>:1:"));
  vigil_string_free(error);
  CHECK(vigil_engine_load_database(engine, "/nonexistent/v.db", &error) == VIGIL_INPUT_ERROR);
  CHECK(contains(error, "/nonexistent/v.db"));
  vigil_string_free(error);
  CHECK(vigil_engine_evaluate(engine, "2026-02-30", &findings, &error) == VIGIL_INPUT_ERROR);
  CHECK(findings == NULL);
  CHECK(contains(error, "2026-02-30"));
  vigil_string_free(error);
  CHECK(vigil_engine_evaluate(NULL, NULL, &findings, &error) == VIGIL_INPUT_ERROR);
  CHECK(contains(error, "engine is NULL"));
  vigil_string_free(error);
  CHECK(vigil_engine_evaluate_overlay(engine, NULL, NULL, &findings, NULL) == VIGIL_INPUT_ERROR);
  CHECK(vigil_engine_add_rules(engine, "x", NULL, NULL) == VIGIL_INPUT_ERROR);

  vigil_engine_free(engine);
  vigil_engine_free(NULL);
  vigil_string_free(NULL);
  if (failures) fprintf(stderr, "%d checks failed\n", failures);
  else printf("C ABI: all checks passed\n");
  return failures ? 1 : 0;
}
