// Output files that readers see whole or not at all, and that never harm
// what stands at the path: the new content goes into a unique temporary file
// beside the target (created exclusively, so a planted link is never
// followed), is flushed and fsynced, then renamed over the target. A device
// or FIFO at the path (/dev/null, a pipe) is written directly instead of
// being replaced by a regular file; a link at the path is followed, so the
// file it points to is replaced and the link stays. On any error the
// temporary file is removed and vigil::Error names the path. The path `-`
// is standard output (`--output -`), written as it comes.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace vigil {

constexpr const char* kStandardOutput = "-";

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace vigil
