#include "net/loop_thread.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "net/uv_handle.hpp"

// The one loop-thread type: its life cycle without sockets (timers only).
namespace th {
namespace {

TEST(LoopThread, StopClosesTheOwnersHandlesOnTheLoopThread) {
  LoopThread loop_thread;
  ASSERT_EQ(loop_thread.init(), 0);
  UvHandle<uv_timer_t> timer;
  std::atomic<int> ticks{0};
  std::thread::id closed_on;
  ASSERT_EQ(timer.init_timer(loop_thread.loop(), &ticks), 0);
  const LoopThread::Started started = loop_thread.start(
      {}, 0,
      [&] {
        return uv_timer_start(
            timer.get(),
            [](uv_timer_t* handle) { ++*static_cast<std::atomic<int>*>(handle->data); }, 1, 1);
      },
      [&] {
        closed_on = std::this_thread::get_id();
        timer.close();
      });
  EXPECT_EQ(started.pin_status, 0);
  EXPECT_EQ(started.start_status, 0);
  for (int waited_ms = 0; ticks.load() < 3 && waited_ms < 5000; ++waited_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  loop_thread.stop();
  EXPECT_GE(ticks.load(), 3);
  EXPECT_TRUE(loop_thread.finished());
  EXPECT_FALSE(timer.initialised());
  EXPECT_NE(closed_on, std::this_thread::get_id());
  EXPECT_GT(loop_thread.cpu_seconds(), 0.0);
  loop_thread.stop();  // idempotent
}

TEST(LoopThread, ALoopWhoseOwnerClosesEverythingEndsByItself) {
  LoopThread loop_thread;
  ASSERT_EQ(loop_thread.init(), 0);
  UvHandle<uv_timer_t> timer;
  ASSERT_EQ(timer.init_timer(loop_thread.loop(), &timer), 0);
  loop_thread.start(
      {}, 0,
      [&] {
        return uv_timer_start(
            timer.get(),
            [](uv_timer_t* handle) { static_cast<UvHandle<uv_timer_t>*>(handle->data)->close(); },
            5, 0);
      },
      [&] { timer.close(); });
  loop_thread.join();  // returns: the pending stop request does not keep the loop alive
  EXPECT_TRUE(loop_thread.finished());
}

TEST(LoopThread, AFailedStartClosesWhatTheOwnerMadeAndEndsTheLoop) {
  LoopThread loop_thread;
  ASSERT_EQ(loop_thread.init(), 0);
  UvHandle<uv_timer_t> timer;
  bool stopped = false;
  const LoopThread::Started started = loop_thread.start(
      {}, 0,
      [&] {
        EXPECT_EQ(timer.init_timer(loop_thread.loop(), nullptr), 0);
        return UV_ENOMEM;
      },
      [&] {
        stopped = true;
        timer.close();
      });
  EXPECT_EQ(started.start_status, UV_ENOMEM);
  EXPECT_TRUE(stopped);
  loop_thread.join();
  EXPECT_TRUE(loop_thread.finished());
}

TEST(LoopThread, StoppingALoopThatNeverStartedClosesItsHandles) {
  LoopThread loop_thread;
  ASSERT_EQ(loop_thread.init(), 0);
  UvHandle<uv_timer_t> timer;
  ASSERT_EQ(timer.init_timer(loop_thread.loop(), nullptr), 0);
  ASSERT_EQ(uv_timer_start(
                timer.get(), [](uv_timer_t*) {}, 1000, 0),
            0);
  loop_thread.stop();  // walks the open timer, closes it and the loop; ASan sees no leak
  EXPECT_FALSE(loop_thread.finished());
  EXPECT_EQ(loop_thread.cpu_seconds(), 0.0);
}

TEST(LoopThread, PinningToACpuThatDoesNotExistIsReportedAndTheLoopStillRuns) {
  LoopThread loop_thread;
  ASSERT_EQ(loop_thread.init(), 0);
  const LoopThread::Started started = loop_thread.start({1000}, 0, {}, {});
  EXPECT_NE(started.pin_status, 0);
  loop_thread.join();
  EXPECT_TRUE(loop_thread.finished());
}

TEST(UvHandle, CloseIsSafeInEveryState) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  UvHandle<uv_timer_t> never;
  never.close();  // never initialised: nothing to do
  UvHandle<uv_timer_t> timer;
  ASSERT_EQ(timer.init_timer(&loop, nullptr), 0);
  EXPECT_TRUE(timer.initialised());
  timer.close();
  timer.close();
  EXPECT_EQ(uv_run(&loop, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace th
