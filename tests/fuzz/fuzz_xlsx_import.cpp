// A workbook -> the importer. The input holds the XML parts of a workbook
// separated by a line "@@@" (workbook.xml, its relationships, sheet1.xml,
// sharedStrings.xml, styles.xml), zipped here with libzip, so that the
// fuzzer works on the XML and the cells rather than on zip checksums.
// Bad input may only end in vigil::Error.
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include <zip.h>

#include "dsl/diagnostic.hpp"
#include "engine/facts/portfolio_import.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fs::path book = fs::temp_directory_path() / ("vigil-fuzz-" + std::to_string(::getpid()) + ".xlsx");
  std::string input(reinterpret_cast<const char*>(data), size);
  const char* parts[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml",
                         "xl/sharedStrings.xml", "xl/styles.xml"};
  int error = 0;
  zip_t* archive = zip_open(book.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!archive) return 0;
  std::vector<std::string> contents;
  contents.reserve(5);
  std::size_t start = 0;
  for (const char* part : parts) {
    if (start > input.size()) break;
    std::size_t end = input.find("\n@@@\n", start);
    contents.push_back(input.substr(start, end == std::string::npos ? std::string::npos : end - start));
    start = end == std::string::npos ? input.size() + 1 : end + 5;
    zip_source_t* source = zip_source_buffer(archive, contents.back().data(), contents.back().size(), 0);
    if (zip_file_add(archive, part, source, ZIP_FL_OVERWRITE) < 0) zip_source_free(source);
  }
  if (zip_close(archive) != 0) {
    zip_discard(archive);
    return 0;
  }
  try {
    vigil::read_portfolio(book.string());
  } catch (const vigil::Error&) {
  }
  return 0;
}
