// Runtime: see runtime.h.
#include "client/src/runtime.h"

#include <boost/asio/executor_work_guard.hpp>

#include "common/log.h"

namespace sluice::client::detail {
namespace asio = boost::asio;

Runtime::Runtime(std::optional<asio::any_io_executor> user_executor) {
  log::init_library_default();
  if (user_executor) {
    strand_.emplace(asio::make_strand(*user_executor));
    if (const auto* io = user_executor->target<asio::io_context::executor_type>())
      user_io_.emplace(*io);
    executor_ = *strand_;
    return;
  }
  own_ = std::make_unique<asio::io_context>(1);
  executor_ = own_->get_executor();
  thread_ = std::thread([io = own_.get()] {
    auto work = asio::make_work_guard(*io);
    io->run();
  });
}

Runtime::~Runtime() {
  stop();
  if (detached_) {
    (void)own_.release();  // still running the handler that destroyed us: leak it
    return;
  }
  // Destroying the io_context destroys the coroutine frames still suspended in it.
  own_.reset();
}

void Runtime::stop() {
  if (!own_) return;
  own_->stop();
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) {
    // The last owner let go on the runtime's own thread: it cannot join itself, and the
    // io_context it is running cannot be destroyed under it; both are left to end with it.
    thread_.detach();
    detached_ = true;
  } else {
    thread_.join();
  }
}

bool Runtime::on_runtime_thread() const {
  if (own_) return own_->get_executor().running_in_this_thread();
  if (user_io_ && user_io_->running_in_this_thread()) return true;
  return strand_->running_in_this_thread();
}

}  // namespace sluice::client::detail
