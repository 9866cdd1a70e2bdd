// The process-wide logger (Boost.Log), the one global service (docs/conventions.md, Logging).
// Include this only from .cpp files: Boost.Log headers are heavy.
//
//   SLUICE_LOG(info) << "partition " << tp << " corr=" << correlation_id << " appended";
//
// Every record carries a timestamp, severity and the broker id (set once at start-up with
// log::set_broker_id); partition and correlation id go in the message where they apply.
#pragma once

#include <boost/log/sources/global_logger_storage.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_logger.hpp>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::log {

enum class Severity { trace, debug, info, warning, error, fatal };

std::ostream& operator<<(std::ostream& os, Severity s);
std::optional<Severity> parse_severity(std::string_view name);

BOOST_LOG_INLINE_GLOBAL_LOGGER_DEFAULT(Logger, boost::log::sources::severity_logger_mt<Severity>)

struct Options {
  // Records below this are dropped. Default: $SLUICE_LOG_LEVEL or info.
  std::optional<Severity> min_severity;
  // Empty: stderr. Otherwise appended to this file.
  std::string file;
};

// Installs the sink and formatter. Safe to call more than once (the last call wins).
void init(const Options& options = {});

// For libraries (the client): unless init() has run, installs a stderr sink that passes
// warnings and errors only ($SLUICE_LOG_LEVEL overrides), so an application that never set
// up logging neither gets Boost.Log's default sink (every record, on the console) nor loses
// real problems. A later init() replaces it.
void init_library_default();

// Adds "broker=<id>" to every following record.
void set_broker_id(int broker_id);

}  // namespace sluice::log

#define SLUICE_LOG(sev) BOOST_LOG_SEV(::sluice::log::Logger::get(), ::sluice::log::Severity::sev)
