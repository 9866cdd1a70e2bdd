#include "common/result.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return Error(std::make_error_code(std::errc::invalid_argument), "must be positive");
  return v;
}

Result<int> doubled(int v) {
  SLUICE_TRY(int x, parse_positive(v));
  return x * 2;
}

TEST(Result, CarriesValueOrError) {
  auto good = parse_positive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 3);
  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), std::errc::invalid_argument);
  EXPECT_EQ(bad.error().context(), "must be positive");
  EXPECT_NE(bad.error().to_string().find("must be positive"), std::string::npos);
}

TEST(Result, TryPropagatesErrors) {
  EXPECT_EQ(*doubled(4), 8);
  EXPECT_FALSE(doubled(0).ok());
}

TEST(Status, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  Status failed = Error(std::make_error_code(std::errc::io_error));
  EXPECT_FALSE(failed.ok());
}

}  // namespace
}  // namespace sluice
