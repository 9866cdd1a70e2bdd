// What every `sluice` command shares: the global options, the exit codes scripts rely on, how
// a client error becomes a message and an exit code, and small text helpers.
//
// Adding a command group (e.g. `sluice produce`): write tools/cli/produce_cmd.cpp defining
//   void add_produce_commands(CLI::App& app, Context& ctx);
// that adds its subcommands to `app` and, in each subcommand's callback, sets
// `ctx.run = [&ctx, opts] { return ...; }` (the command runs after parsing, and returns its exit
// code); declare it below and add it to the list in main.cpp. CMake globs tools/cli/*.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/admin.h"
#include "sluice/config.h"
#include "sluice/error.h"

namespace sluice::tools {

// Exit codes (documented in `sluice --help`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitKafkaError = 1;   // the cluster answered with an error
inline constexpr int kExitUsage = 2;        // bad command line
inline constexpr int kExitUnreachable = 3;  // no broker (or ZooKeeper) could be reached

struct Context {
  std::string brokers = "127.0.0.1:9092";  // --brokers, else $SLUICE_BROKERS
  int64_t timeout_ms = 10000;              // --timeout: per operation
  // Set by the chosen subcommand's callback; main() runs it after parsing.
  std::function<int()> run;

  client::AdminConfig admin_config() const;
  // The admin client, or nullptr after printing why (bad --brokers).
  std::unique_ptr<client::Admin> admin() const;
  std::vector<std::string> broker_list() const;
};

// Prints "error: <what>: <error>" (with a hint for unreachable clusters) to stderr and
// returns the exit code for `error`.
int report(const client::Error& error, const std::string& what, const Context& ctx);
int exit_code_for(const client::Error& error);
// Prints "error: <message>" and returns kExitUsage.
int usage_error(const std::string& message);

// "key=value" -> {key, value}; nullopt without '='.
std::optional<std::pair<std::string, std::string>> split_key_value(const std::string& text);
std::string join(const std::vector<int32_t>& ids, const char* sep = ",");

// A plain left-aligned text table.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::size_t size() const { return rows_.size() - 1; }
  void print(std::ostream& out, const std::string& indent = "") const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// Shared by produce, consume and perf (tools/cli/clients.cpp).
// "0" / "1" / "all" (or "-1"); nullopt otherwise.
std::optional<client::Acks> parse_acks(const std::string& text);
std::optional<client::CompressionType> parse_compression(const std::string& text);
// Client configurations with the global options applied (brokers, client id, timeouts).
client::ProducerConfig producer_config(const Context& ctx);
client::ConsumerConfig consumer_config(const Context& ctx);
// The partition count of `topic`, or an exit code (after printing why). With `auto_create`
// an unknown topic is asked for once more with Metadata's allow_auto_topic_creation, so a
// broker with auto.create.topics.enable creates it; otherwise "topic 'x' does not exist".
struct TopicLookup {
  int32_t partitions = 0;
  int exit_code = kExitOk;
};
TopicLookup lookup_topic(const Context& ctx, const std::string& topic, bool auto_create);
// Ctrl-C (SIGINT) and SIGTERM set a flag instead of killing the process, so commands can
// close their clients (and commit) first. catch_interrupts() installs the handler and blocks
// both signals on the calling thread, so client threads created afterwards inherit the block;
// accept_interrupts() (after creating the clients) unblocks them on the calling thread only,
// where they then interrupt blocking reads (EINTR) and poll loops.
void catch_interrupts();
void accept_interrupts();
bool interrupted();
// JSON string literal of `bytes` (control characters and invalid UTF-8 escaped).
std::string json_string(const std::string& bytes);

// The command groups.
void add_topic_commands(CLI::App& app, Context& ctx);
void add_group_commands(CLI::App& app, Context& ctx);
void add_cluster_commands(CLI::App& app, Context& ctx);
void add_produce_commands(CLI::App& app, Context& ctx);
void add_consume_commands(CLI::App& app, Context& ctx);
void add_perf_commands(CLI::App& app, Context& ctx);

}  // namespace sluice::tools
