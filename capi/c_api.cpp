// The C ABI of include/vigil/vigil.h over vigil::Engine: every exception
// becomes a status and a message; nothing is thrown across the boundary.
#include <vigil/version.hpp>
#include <vigil/vigil.h>

#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <vigil/vigil.hpp>

#include "engine/output/finding_output.hpp"

struct vigil_engine {
  vigil::Engine engine;
  // The rule texts, so that adding one is replacing all by all plus it: a
  // text with an error is then refused whole, as replace_rules is.
  std::vector<std::pair<std::string, std::string>> sources;
};

namespace {

char* copy_string(const std::string& text) {
  auto* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out) std::memcpy(out, text.c_str(), text.size() + 1);
  return out;
}

void set_error(char** error, const std::string& message) {
  if (error) *error = copy_string(message);
}

// Runs `body`, mapping what it throws to a status (rule errors first: a RuleError is an Error).
template <typename Body>
vigil_status guarded(char** error, Body&& body) {
  if (error) *error = nullptr;
  try {
    body();
    return VIGIL_OK;
  } catch (const vigil::RuleError& e) {
    set_error(error, e.what());
    return VIGIL_RULE_ERROR;
  } catch (const vigil::Error& e) {
    set_error(error, e.what());
    return VIGIL_INPUT_ERROR;
  } catch (const std::exception& e) {
    set_error(error, std::string("internal error: ") + e.what());
    return VIGIL_INTERNAL_ERROR;
  } catch (...) {
    set_error(error, "internal error");
    return VIGIL_INTERNAL_ERROR;
  }
}

// A NULL where a string is required is the caller's input error, not a crash.
void require(const void* pointer, const char* what) {
  if (!pointer) throw vigil::Error(std::string(what) + " is NULL");
}

vigil_status evaluated(char** findings_json_out, char** error, const std::function<vigil::EvaluationResult()>& evaluate) {
  if (findings_json_out) *findings_json_out = nullptr;
  return guarded(error, [&] {
    require(findings_json_out, "findings_json");
    std::string json = vigil::findings_json_text(evaluate().findings);
    *findings_json_out = copy_string(json);
    if (!*findings_json_out) throw std::bad_alloc();
  });
}

}  // namespace

extern "C" {

const char* vigil_version(void) { return VIGIL_VERSION_STRING; }

vigil_engine* vigil_engine_new(void) { return new (std::nothrow) vigil_engine(); }

void vigil_engine_free(vigil_engine* engine) { delete engine; }

vigil_status vigil_engine_add_rules(vigil_engine* engine, const char* name, const char* text, char** error) {
  return guarded(error, [&] {
    require(engine, "engine");
    require(text, "text");
    auto sources = engine->sources;
    sources.emplace_back(name ? name : "<string>", text);
    engine->engine.replace_rules(sources);
    engine->sources = std::move(sources);
  });
}

vigil_status vigil_engine_replace_rules(vigil_engine* engine, const char* const* names, const char* const* texts, size_t n,
                                        char** error) {
  return guarded(error, [&] {
    require(engine, "engine");
    if (n > 0) require(texts, "texts");
    std::vector<std::pair<std::string, std::string>> sources;
    for (size_t i = 0; i < n; ++i) {
      require(texts[i], "a text");
      sources.emplace_back(names && names[i] ? names[i] : "<string>", texts[i]);
    }
    engine->engine.replace_rules(sources);
    engine->sources = std::move(sources);
  });
}

vigil_status vigil_engine_load_database(vigil_engine* engine, const char* path, char** error) {
  return guarded(error, [&] {
    require(engine, "engine");
    require(path, "path");
    engine->engine.load_database(path);
  });
}

vigil_status vigil_engine_load_facts_json(vigil_engine* engine, const char* portfolio_json, char** error) {
  return guarded(error, [&] {
    require(engine, "engine");
    require(portfolio_json, "portfolio_json");
    engine->engine.load_facts_json(portfolio_json, "<facts>");
  });
}

vigil_status vigil_engine_evaluate(const vigil_engine* engine, const char* as_of, char** findings_json, char** error) {
  return evaluated(findings_json, error, [&] {
    require(engine, "engine");
    return engine->engine.evaluate(as_of ? as_of : "");
  });
}

vigil_status vigil_engine_evaluate_overlay(const vigil_engine* engine, const char* overlay_json, const char* as_of,
                                           char** findings_json, char** error) {
  return evaluated(findings_json, error, [&] {
    require(engine, "engine");
    require(overlay_json, "overlay_json");
    return engine->engine.evaluate_overlay(overlay_json, as_of ? as_of : "");
  });
}

void vigil_string_free(char* text) { std::free(text); }

}  // extern "C"
