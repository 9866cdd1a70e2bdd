// `sluice`: the command-line tool for a Sluice (or any Kafka) cluster, modelled on rpk.
// main() parses the command line into one command (set by its callback) and runs it.
#include <cstdlib>
#include <iostream>

#include "common/log.h"
#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  using namespace sluice::tools;
  // The client logs at debug level only; keep the terminal for the command's output.
  sluice::log::Options log_options;
  if (!std::getenv("SLUICE_LOG_LEVEL")) log_options.min_severity = sluice::log::Severity::error;
  sluice::log::init(log_options);

  Context ctx;
  if (const char* env = std::getenv("SLUICE_BROKERS"); env && *env) ctx.brokers = env;

  CLI::App app{"sluice: manage and use a Sluice cluster (any Kafka-protocol cluster works too)",
               "sluice"};
  app.footer(
      "Exit codes: 0 ok, 1 the cluster answered with an error (e.g. unknown topic),\n"
      "            2 usage error, 3 the cluster (or ZooKeeper) could not be reached.\n"
      "Run `sluice COMMAND --help` for a command's options.");
  app.option_defaults()->always_capture_default();
  app.add_option("-b,--brokers", ctx.brokers,
                 "Bootstrap brokers host:port[,host:port...] (env SLUICE_BROKERS)")
      ->capture_default_str();
  app.add_option("--timeout", ctx.timeout_ms, "Time limit of each operation, in milliseconds")
      ->check(CLI::PositiveNumber);
  app.require_subcommand(1);

  // Every command group; add new ones here (see tools/cli/cli.h).
  add_topic_commands(app, ctx);
  add_group_commands(app, ctx);
  add_cluster_commands(app, ctx);
  add_produce_commands(app, ctx);
  add_consume_commands(app, ctx);
  add_perf_commands(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (!ctx.run) {
    std::cerr << app.help();
    return kExitUsage;
  }
  return ctx.run();
}
