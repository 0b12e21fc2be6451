// Diagnostics and errors: defined in the public API (vigil/diagnostic.hpp).
#pragma once

#include <fmt/format.h>
#include <vigil/diagnostic.hpp>
