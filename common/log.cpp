// Boost.Log sink and format set-up for every Sluice executable.
#include "common/log.h"

#include <boost/core/null_deleter.hpp>
#include <boost/log/attributes/constant.hpp>
#include <boost/log/attributes/mutable_constant.hpp>
#include <boost/log/core.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sinks/sync_frontend.hpp>
#include <boost/log/sinks/text_ostream_backend.hpp>
#include <boost/log/support/date_time.hpp>
#include <boost/log/utility/setup/common_attributes.hpp>
#include <boost/make_shared.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <ostream>

#include "common/mutex.h"

namespace sluice::log {

namespace bl = boost::log;
namespace expr = boost::log::expressions;

BOOST_LOG_ATTRIBUTE_KEYWORD(severity_kw, "Severity", Severity)
BOOST_LOG_ATTRIBUTE_KEYWORD(broker_kw, "BrokerId", int)
BOOST_LOG_ATTRIBUTE_KEYWORD(timestamp_kw, "TimeStamp", boost::posix_time::ptime)

namespace {
constexpr std::string_view kNames[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};

Mutex g_init_mutex;
boost::shared_ptr<bl::sinks::synchronous_sink<bl::sinks::text_ostream_backend>> g_sink
    GUARDED_BY(g_init_mutex);
}  // namespace

std::ostream& operator<<(std::ostream& os, Severity s) {
  auto i = static_cast<std::size_t>(s);
  return os << (i < std::size(kNames) ? kNames[i] : std::string_view("?"));
}

std::optional<Severity> parse_severity(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  if (upper == "WARNING") upper = "WARN";
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == upper) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

namespace {
// init() with g_init_mutex held.
void init_locked(const Options& options) REQUIRES(g_init_mutex) {
  auto core = bl::core::get();
  if (g_sink) {
    core->remove_sink(g_sink);
    g_sink.reset();
  }
  Severity min = Severity::info;
  if (options.min_severity) {
    min = *options.min_severity;
  } else if (const char* env = std::getenv("SLUICE_LOG_LEVEL")) {
    if (auto parsed = parse_severity(env)) min = *parsed;
  }

  auto backend = boost::make_shared<bl::sinks::text_ostream_backend>();
  if (options.file.empty()) {
    backend->add_stream(boost::shared_ptr<std::ostream>(&std::clog, boost::null_deleter()));
  } else {
    backend->add_stream(boost::make_shared<std::ofstream>(options.file, std::ios::app));
  }
  backend->auto_flush(true);
  g_sink =
      boost::make_shared<bl::sinks::synchronous_sink<bl::sinks::text_ostream_backend>>(backend);
  g_sink->set_filter(severity_kw >= min);
  g_sink->set_formatter(expr::stream
                        << expr::format_date_time(timestamp_kw, "%Y-%m-%dT%H:%M:%S.%f") << ' '
                        << severity_kw
                        << expr::if_(expr::has_attr(
                               broker_kw))[expr::stream << " [broker " << broker_kw << ']']
                        << ' ' << expr::smessage);
  core->add_sink(g_sink);
  static bool common_added = false;
  if (!common_added) {
    bl::add_common_attributes();
    common_added = true;
  }
}
}  // namespace

void init(const Options& options) {
  MutexLock lock(g_init_mutex);
  init_locked(options);
}

void init_library_default() {
  // One critical section from the check to the install: an init() by the application
  // between them would otherwise be replaced by these defaults.
  MutexLock lock(g_init_mutex);
  if (g_sink) return;
  Options options;
  options.min_severity = Severity::warning;
  if (const char* env = std::getenv("SLUICE_LOG_LEVEL")) {
    if (auto parsed = parse_severity(env)) options.min_severity = *parsed;
  }
  init_locked(options);
}

void set_broker_id(int broker_id) {
  bl::core::get()->add_global_attribute("BrokerId", bl::attributes::constant<int>(broker_id));
}

}  // namespace sluice::log
