// Vigil, the vendor and third-party risk rules engine: the embedding API.
#pragma once

#include <vigil/diagnostic.hpp>
#include <vigil/engine.hpp>
#include <vigil/finding.hpp>
#include <vigil/severity.hpp>
#include <vigil/source.hpp>
