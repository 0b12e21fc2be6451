// Rule source files: defined in the public API (vigil/source.hpp).
#pragma once

#include <vigil/source.hpp>
