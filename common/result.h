// Errors as values across module boundaries (docs/conventions.md, Errors). The types are
// public (sluice/result.h, installed with libsluice); this header adds the propagation
// macros Sluice's own code uses.
#pragma once

#include <utility>

#include "sluice/result.h"

// Propagates a failed Result/Status from the enclosing function:
//   SLUICE_TRY(auto header, decode_header(reader));
#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)
#define SLUICE_TRY_IMPL(tmp, decl, expr)        \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
#define SLUICE_TRY(decl, expr) SLUICE_TRY_IMPL(SLUICE_CONCAT(sluice_try_, __LINE__), decl, expr)
#define SLUICE_CHECK(expr)                                                        \
  do {                                                                            \
    auto sluice_check_status = (expr);                                            \
    if (!sluice_check_status.ok()) return std::move(sluice_check_status).error(); \
  } while (0)
