// The workbench's page, script and style sheet (web/), compiled into the program
// (cmake/embed_web.cmake): `vigil serve` answers them at /, with no file beside it.
#pragma once

#include <string_view>
#include <vector>

namespace vigil::cli {

struct WebAsset {
  std::string_view path;  // "/index.html", "/app.js"
  std::string_view content_type;
  std::string_view body;
};
const std::vector<WebAsset>& web_assets();

}  // namespace vigil::cli
