// LeakSanitizer suppressions for sanitized builds (SLUICE_SANITIZE=ON). Include this from
// exactly one .cpp of each executable. The ZooKeeper C client leaks a few internal objects
// when a handle whose session expired is closed; those allocations happen inside the
// library (no Sluice frame on their stack), so suppressing by library name hides nothing of
// ours.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
extern "C" const char* __lsan_default_suppressions() {  // NOLINT: name fixed by LSan
  return "leak:libzookeeper_mt.so\n";
}
#endif
