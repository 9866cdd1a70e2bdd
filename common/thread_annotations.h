// Clang's thread-safety attributes (https://clang.llvm.org/docs/ThreadSafetyAnalysis.html)
// as macros, so that clang can check at compile time that mutex-guarded data is touched only
// with its mutex held. Under any other compiler they expand to nothing.
//
//   class Counter {
//    public:
//     void add(int n) {
//       MutexLock lock(mu_);
//       total_ += n;          // fine: mu_ is held
//     }
//    private:
//     int read_locked() const REQUIRES(mu_) { return total_; }
//     mutable Mutex mu_;      // common/mutex.h: std::mutex with the attributes
//     int total_ GUARDED_BY(mu_) = 0;
//   };
//
// scripts/check-thread-safety.sh (ctest lint.thread_safety) compiles the annotated modules
// with clang -Wthread-safety -Werror; GCC builds ignore all of this.
#pragma once

#if defined(__clang__)
#define SLUICE_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define SLUICE_THREAD_ANNOTATION(x)
#endif

// --- on types ---
// The class is a lock (or another capability the analysis tracks); `name` appears in messages.
#define CAPABILITY(name) SLUICE_THREAD_ANNOTATION(capability(name))
// The class is an RAII lock: its constructor acquires, its destructor releases.
#define SCOPED_CAPABILITY SLUICE_THREAD_ANNOTATION(scoped_lockable)

// --- on data members (and globals) ---
// Reading needs `mu` held (shared or exclusive); writing needs it exclusive.
#define GUARDED_BY(mu) SLUICE_THREAD_ANNOTATION(guarded_by(mu))
// The same for what the pointer points to (the pointer itself is unguarded).
#define PT_GUARDED_BY(mu) SLUICE_THREAD_ANNOTATION(pt_guarded_by(mu))
// Lock order: this lock is taken before / after the listed ones (checked with
// -Wthread-safety-beta only).
#define ACQUIRED_BEFORE(...) SLUICE_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#define ACQUIRED_AFTER(...) SLUICE_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))

// --- on functions ---
// The caller must hold the locks (exclusively / at least shared) and still holds them after.
#define REQUIRES(...) SLUICE_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SLUICE_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
// The function takes the locks and returns with them held (no arguments: `this`).
#define ACQUIRE(...) SLUICE_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
// The function releases locks the caller held (exclusive, shared, or either).
#define RELEASE(...) SLUICE_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SLUICE_THREAD_ANNOTATION(release_shared_capability(__VA_ARGS__))
#define RELEASE_GENERIC(...) SLUICE_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
// try_lock: acquires the lock when it returns `result` (true or false).
#define TRY_ACQUIRE(...) SLUICE_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#define TRY_ACQUIRE_SHARED(...) SLUICE_THREAD_ANNOTATION(try_acquire_shared_capability(__VA_ARGS__))
// The caller must not hold the locks (the function takes them itself; catches self-deadlock).
#define EXCLUDES(...) SLUICE_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
// The function checks at run time that the lock is held; the analysis believes it afterwards.
#define ASSERT_CAPABILITY(x) SLUICE_THREAD_ANNOTATION(assert_capability(x))
#define ASSERT_SHARED_CAPABILITY(x) SLUICE_THREAD_ANNOTATION(assert_shared_capability(x))
// The function returns a reference to the lock `x` (an accessor of a private mutex).
#define RETURN_CAPABILITY(x) SLUICE_THREAD_ANNOTATION(lock_returned(x))
// Turns the analysis off for one function. Last resort: say in a comment why it is safe.
#define NO_THREAD_SAFETY_ANALYSIS SLUICE_THREAD_ANNOTATION(no_thread_safety_analysis)
