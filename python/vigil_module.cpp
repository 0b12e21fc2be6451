// The Python binding's core (vigil._vigil): vigil::Engine with findings as
// JSON text; vigil/__init__.py turns them into dicts and takes dates.
#include <string>
#include <utility>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <vigil/version.hpp>
#include <vigil/vigil.hpp>

#include "engine/output/finding_output.hpp"

namespace py = pybind11;

namespace {

PyObject* rule_error_type = nullptr;  // vigil.RuleError, a ValueError with `diagnostics`

std::string level_word(vigil::DiagnosticLevel level) {
  return level == vigil::DiagnosticLevel::error ? "error" : level == vigil::DiagnosticLevel::warning ? "warning" : "note";
}

// The engine and its rule texts: adding a text is replacing all by all plus
// it, so a text with an error is refused whole (as in the C ABI).
class Engine {
 public:
  void add_rules(const std::string& text, const std::string& name) {
    auto sources = sources_;
    sources.emplace_back(name, text);
    engine_.replace_rules(sources);
    sources_ = std::move(sources);
  }
  void add_rules_from(const std::string& path) { engine_.add_rules_from(path); }
  void load_database(const std::string& path) { engine_.load_database(path); }
  void load_facts_json(const std::string& json) { engine_.load_facts_json(json, "<facts>"); }
  std::string evaluate(const std::string& as_of) const {
    py::gil_scoped_release unlocked;  // evaluation runs on its own threads; other Python threads go on
    return vigil::findings_json_text(engine_.evaluate(as_of).findings);
  }
  std::string evaluate_entities(const std::vector<std::string>& ids, const std::string& as_of) const {
    py::gil_scoped_release unlocked;
    vigil::EvaluationResult all;
    for (const auto& id : ids) {
      auto one = engine_.evaluate_entity(id, as_of);
      std::move(one.findings.begin(), one.findings.end(), std::back_inserter(all.findings));
    }
    return vigil::findings_json_text(all.findings);
  }
  std::string evaluate_overlay(const std::string& overlay_json, const std::string& as_of) const {
    py::gil_scoped_release unlocked;
    return vigil::findings_json_text(engine_.evaluate_overlay(overlay_json, as_of).findings);
  }
  std::size_t rule_count() const { return engine_.rule_count(); }
  std::size_t entity_count() const { return engine_.entity_count(); }

 private:
  vigil::Engine engine_;
  std::vector<std::pair<std::string, std::string>> sources_;
};

}  // namespace

PYBIND11_MODULE(_vigil, m) {
  m.doc() = "Vigil's engine (use the vigil package, not this module)";
  rule_error_type = PyErr_NewException("vigil.RuleError", PyExc_ValueError, nullptr);
  m.attr("RuleError") = py::handle(rule_error_type);
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const vigil::RuleError& e) {
      py::list diagnostics;
      for (const auto& d : e.diagnostics()) diagnostics.append(d.location() + ": " + level_word(d.level) + ": " + d.message);
      py::object error = py::reinterpret_borrow<py::object>(rule_error_type)(std::string(e.what()));
      error.attr("diagnostics") = diagnostics;
      PyErr_SetObject(rule_error_type, error.ptr());
    } catch (const vigil::Error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  py::class_<Engine>(m, "Engine")
      .def(py::init<>())
      .def("add_rules", &Engine::add_rules)
      .def("add_rules_from", &Engine::add_rules_from)
      .def("load_database", &Engine::load_database)
      .def("load_facts_json", &Engine::load_facts_json)
      .def("evaluate", &Engine::evaluate)
      .def("evaluate_entities", &Engine::evaluate_entities)
      .def("evaluate_overlay", &Engine::evaluate_overlay)
      .def("rule_count", &Engine::rule_count)
      .def("entity_count", &Engine::entity_count);
  m.attr("__version__") = VIGIL_VERSION_STRING;
}
