#include "engine/output/output_file.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "dsl/diagnostic.hpp"

namespace vigil {
namespace fs = std::filesystem;
namespace {

// A stream buffer over a file descriptor that remembers the first write error.
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (sync() != 0) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) sputc(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
  }
  int sync() override {
    for (char* at = pbase(); at < pptr();) {
      ssize_t written = ::write(fd_, at, static_cast<std::size_t>(pptr() - at));
      if (written < 0 && errno == EINTR) continue;
      if (written <= 0) {
        error_ = written < 0 ? errno : EIO;
        return -1;
      }
      at += written;
    }
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return 0;
  }

 private:
  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_;
};

[[noreturn]] void fail(const std::string& path, int error) {
  throw Error(fmt::format("{}: cannot write the output file: {}", path, std::strerror(error)));
}

// Writes everything to fd; returns 0 or the errno of the first failure.
int write_to(int fd, const std::function<void(std::ostream&)>& write) {
  DescriptorBuffer buffer(fd);
  std::ostream out(&buffer);
  write(out);
  out.flush();
  if (buffer.error() != 0) return buffer.error();
  return out ? 0 : EIO;
}

void write_special_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(path, errno);
  int error = write_to(fd, write);
  ::close(fd);
  if (error != 0) fail(path, error);
}

// New files get the permissions an ordinary create would give; a replaced
// file keeps its own.
mode_t mode_for(const struct stat* existing) {
  if (existing) return existing->st_mode & 07777;
  mode_t mask = ::umask(0);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  if (path == kStandardOutput) {
    std::cout.flush();  // what the program printed before comes first
    if (int error = write_to(STDOUT_FILENO, write)) fail("standard output", error);
    return;
  }
  std::error_code ec;
  fs::path target = path;
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    target = fs::canonical(target, ec);
    if (ec) throw Error(fmt::format("{}: cannot write the output file: the link leads nowhere", path));
  }
  struct stat existing {};
  bool exists = ::stat(target.c_str(), &existing) == 0;
  if (exists && S_ISDIR(existing.st_mode)) throw Error(fmt::format("{}: is a directory", path));
  if (exists && !S_ISREG(existing.st_mode)) return write_special_file(path, write);

  fs::path directory = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::string temporary = (directory / ("." + target.filename().string() + ".XXXXXX")).string();
  int fd = ::mkostemp(temporary.data(), O_CLOEXEC);
  if (fd < 0) fail(path, errno);
  int error = 0;
  try {
    error = write_to(fd, write);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (error == 0 && ::fchmod(fd, mode_for(exists ? &existing : nullptr)) != 0) error = errno;
  if (error == 0 && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temporary.c_str(), target.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    fail(path, error);
  }
  // The rename itself survives a crash once the directory is synced.
  int dir = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

}  // namespace vigil
