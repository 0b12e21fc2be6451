// The comparison of two runs as `vigil diff` prints it: a table for people or JSON.
#pragma once

#include <ostream>

#include "engine/store/run_diff.hpp"

namespace vigil {

enum class DiffFormat { table, json };

void write_diff(std::ostream& out, const RunDiff& diff, DiffFormat format);

}  // namespace vigil
