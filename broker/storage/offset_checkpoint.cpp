// Kafka-format offset checkpoint files (see offset_checkpoint.h).
#include "broker/storage/offset_checkpoint.h"

#include <charconv>
#include <filesystem>
#include <string>
#include <vector>

#include "broker/storage/file_util.h"
#include "broker/storage/storage_error.h"

namespace sluice::broker::storage {
namespace {

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

template <class Int>
bool parse_int(std::string_view s, Int& out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

std::string format_offset_checkpoint(const OffsetMap& offsets) {
  std::string out = "0\n" + std::to_string(offsets.size()) + "\n";
  for (const auto& [tp, offset] : offsets) {
    out += tp.topic;
    out += ' ';
    out += std::to_string(tp.partition);
    out += ' ';
    out += std::to_string(offset);
    out += '\n';
  }
  return out;
}

Result<OffsetMap> parse_offset_checkpoint(std::string_view text, std::string_view what) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  auto corrupt = [&](std::string detail) {
    return Error(StorageErrc::corrupt, std::string(what) + ": " + detail);
  };
  int version = -1;
  if (lines.empty() || !parse_int(lines[0], version)) return corrupt("no version line");
  if (version != 0) return corrupt("unsupported version " + std::string(lines[0]));
  std::size_t count = 0;
  if (lines.size() < 2 || !parse_int(lines[1], count)) return corrupt("no entry count line");
  if (lines.size() - 2 < count) {
    return corrupt("expected " + std::to_string(count) + " entries, found " +
                   std::to_string(lines.size() - 2));
  }
  for (std::size_t i = 2 + count; i < lines.size(); ++i) {
    if (!lines[i].empty())
      return corrupt("more lines than the " + std::to_string(count) + " entries");
  }
  OffsetMap out;
  for (std::size_t i = 2; i < 2 + count; ++i) {
    auto words = split_words(lines[i]);
    TopicPartition tp;
    int64_t offset = 0;
    if (words.size() != 3 || !parse_int(words[1], tp.partition) || !parse_int(words[2], offset)) {
      return corrupt("line " + std::to_string(i + 1) + " '" + std::string(lines[i]) +
                     "' is not '<topic> <partition> <offset>'");
    }
    tp.topic = std::string(words[0]);
    out[std::move(tp)] = offset;
  }
  return out;
}

Status OffsetCheckpointFile::write(const OffsetMap& offsets) const {
  return write_file_atomically(path_, format_offset_checkpoint(offsets));
}

Result<OffsetMap> OffsetCheckpointFile::read() const {
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return OffsetMap{};
  SLUICE_TRY(std::string text, read_small_file(path_));
  return parse_offset_checkpoint(text, path_.string());
}

}  // namespace sluice::broker::storage
