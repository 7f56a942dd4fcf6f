#pragma once

#include <uv.h>

#include <type_traits>

namespace th {

// libuv handles are C structs that "inherit" uv_handle_t by layout; these casts are the only
// place the harness relies on that.
template <typename Handle>
uv_handle_t* as_handle(Handle* handle) {
  return reinterpret_cast<uv_handle_t*>(handle);
}
template <typename Handle>
const uv_handle_t* as_handle(const Handle* handle) {
  return reinterpret_cast<const uv_handle_t*>(handle);
}
template <typename Handle>
uv_stream_t* as_stream(Handle* handle) {
  return reinterpret_cast<uv_stream_t*>(handle);
}

// uv_close once, as libuv requires: a handle's memory may go only after its close callback (or,
// without one, after the loop has run again), so the owner of `handle` must outlive that.
template <typename Handle>
void close_handle(Handle* handle, uv_close_cb on_closed = nullptr) {
  uv_handle_t* base = as_handle(handle);
  if (!uv_is_closing(base)) uv_close(base, on_closed);
}

// A timer, poll or async handle embedded in its owner, which knows whether its init succeeded:
// close() is then safe to call in every state (never initialised, open, closing), so an owner
// whose set-up failed half way closes what it has with the same code as one that ran.
template <typename Handle>
class UvHandle {
  static_assert(std::is_same_v<Handle, uv_timer_t> || std::is_same_v<Handle, uv_poll_t> ||
                    std::is_same_v<Handle, uv_async_t>,
                "UvHandle wraps timers, polls and asyncs; streams close through their transport");

 public:
  UvHandle() = default;
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;

  // 0 or a negative libuv status. `data` is what the callbacks find in handle->data.
  int init_timer(uv_loop_t* loop, void* data) {
    static_assert(std::is_same_v<Handle, uv_timer_t>);
    return adopt(uv_timer_init(loop, &handle_), data);
  }
  int init_poll(uv_loop_t* loop, int fd, void* data) {
    static_assert(std::is_same_v<Handle, uv_poll_t>);
    return adopt(uv_poll_init(loop, &handle_, fd), data);
  }
  int init_async(uv_loop_t* loop, uv_async_cb callback, void* data) {
    static_assert(std::is_same_v<Handle, uv_async_t>);
    return adopt(uv_async_init(loop, &handle_, callback), data);
  }

  Handle* get() { return &handle_; }
  bool initialised() const { return initialised_; }
  bool active() const { return initialised_ && uv_is_active(as_handle(&handle_)) != 0; }
  // Without a callback the handle's memory must outlive the loop's next turn; an owner that may
  // go sooner passes one and waits for it.
  void close(uv_close_cb on_closed = nullptr) {
    if (!initialised_) return;
    initialised_ = false;
    close_handle(&handle_, on_closed);
  }

 private:
  int adopt(int status, void* data) {
    handle_.data = data;
    initialised_ = status == 0;
    return status;
  }

  Handle handle_{};
  bool initialised_ = false;
};

}  // namespace th
