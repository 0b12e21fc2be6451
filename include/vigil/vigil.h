/* Vigil's C ABI (CONTRACT section 11): plain C99, for any language with a C
 * foreign-function interface (Java, .NET, Node, Go, Rust, Python's ctypes).
 *
 * An engine holds rules and a portfolio. Strings are UTF-8; facts and
 * findings are JSON text. Every call that can fail returns a status and, when
 * `error` is not NULL, sets *error to a message (the `file:line:col`
 * diagnostics for rule errors; NULL on success). Strings the library returns
 * are freed with vigil_string_free. An engine may be evaluated from several
 * threads at once; changing it (rules, facts) while evaluations run fails with
 * VIGIL_INPUT_ERROR. Link with -lvigil (libvigil.so). */
#ifndef VIGIL_VIGIL_H
#define VIGIL_VIGIL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_engine vigil_engine;
typedef enum { VIGIL_OK = 0, VIGIL_RULE_ERROR = 1, VIGIL_INPUT_ERROR = 2, VIGIL_INTERNAL_ERROR = 3 } vigil_status;

/* The library's version, "MAJOR.MINOR.PATCH"; static, not to be freed. */
const char* vigil_version(void);

/* A new engine without rules or facts (NULL only when out of memory); free it with vigil_engine_free. */
vigil_engine* vigil_engine_new(void);
void vigil_engine_free(vigil_engine*);

/* Adds one rule text; `name` names it in diagnostics. The rules are checked at once: with an error
 * the text is not added (VIGIL_RULE_ERROR). */
vigil_status vigil_engine_add_rules(vigil_engine*, const char* name, const char* text, char** error);
/* Replaces every rule by the n texts, all or nothing: with an error the old rules stay. */
vigil_status vigil_engine_replace_rules(vigil_engine*, const char* const* names, const char* const* texts, size_t n,
                                        char** error);

/* Facts: a database written by `vigil import`, or a portfolio JSON document (CONTRACT section 1);
 * either replaces the portfolio. Bad input: VIGIL_INPUT_ERROR, and the portfolio stays as it was. */
vigil_status vigil_engine_load_database(vigil_engine*, const char* path, char** error);
vigil_status vigil_engine_load_facts_json(vigil_engine*, const char* portfolio_json, char** error);

/* Every rule over the portfolio as of `as_of` (YYYY-MM-DD; NULL = today). *findings_json receives
 * the JSON array that `vigil run --format json` prints. */
vigil_status vigil_engine_evaluate(const vigil_engine*, const char* as_of, char** findings_json, char** error);
/* The same with `overlay_json` (a portfolio JSON document: entities replacing loaded ones of the
 * same id entirely, new entities, edges) laid over the portfolio for this call only: the findings
 * of the overlay's entities, plus every finding of others that the overlay adds or changes. */
vigil_status vigil_engine_evaluate_overlay(const vigil_engine*, const char* overlay_json, const char* as_of,
                                           char** findings_json, char** error);

void vigil_string_free(char*);

#ifdef __cplusplus
}
#endif

#endif /* VIGIL_VIGIL_H */
