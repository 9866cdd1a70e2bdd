// GoogleTest main for every Sluice test binary: logs go through the project's logger at
// WARN (or $SLUICE_LOG_LEVEL), so test output stays readable.
#include <gtest/gtest.h>

#include "common/log.h"
#include "common/lsan_suppressions.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sluice::log::Options options;
  if (!std::getenv("SLUICE_LOG_LEVEL")) options.min_severity = sluice::log::Severity::warning;
  sluice::log::init(options);
  return RUN_ALL_TESTS();
}
