//===- InOrder.h - Consume items in order as they become ready --*- C++ -*-===//
//
// Part of llvm-btf-split.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// The encoder's two in-order loops (units merged in unit order as workers
/// convert them; deduplicated chunks appended in chunk order as their passes
/// end) share one shape: items 0, 1, 2, ... become ready on any thread, in any
/// order, and must be consumed strictly in order, as soon as possible, by one
/// thread at a time. Whichever thread makes the next item ready consumes it
/// and every ready item after it; the others return at once. The first
/// error stops the consumption.
///
//===----------------------------------------------------------------------===//

#ifndef LLVM_BTF_SPLIT_LIB_DWARF2BTF_INORDER_H
#define LLVM_BTF_SPLIT_LIB_DWARF2BTF_INORDER_H

#include "llvm/Support/Error.h"
#include <cstddef>
#include <mutex>
#include <vector>

namespace btfsplit {

class InOrder {
public:
  explicit InOrder(size_t N) : Ready(N) {}

  /// Item \p I is ready. If it is the next in order and no thread is
  /// consuming, consume it and every ready item after it: \p Consume(K) is
  /// called for each, in order, without the lock held.
  template <typename Fn> void markReady(size_t I, Fn Consume) {
    std::unique_lock<std::mutex> Lock(M);
    Ready[I] = 1;
    if (Busy)
      return; // that thread takes item I when it gets there
    Busy = true;
    while (!Stopped && Next < Ready.size() && Ready[Next]) {
      size_t K = Next++;
      Lock.unlock();
      llvm::Error E = Consume(K);
      Lock.lock();
      if (E) {
        Err = std::move(E);
        Stopped = true;
      }
    }
    Busy = false;
  }

  /// How many items were consumed without error.
  size_t consumed() {
    std::lock_guard<std::mutex> Lock(M);
    return Stopped ? Next - 1 : Next;
  }

  /// The error that stopped the consumption, if any.
  llvm::Error takeError() {
    std::lock_guard<std::mutex> Lock(M);
    return std::move(Err);
  }

private:
  std::mutex M;
  std::vector<char> Ready;
  size_t Next = 0;
  bool Busy = false;
  bool Stopped = false;
  llvm::Error Err = llvm::Error::success();
};

} // namespace btfsplit

#endif // LLVM_BTF_SPLIT_LIB_DWARF2BTF_INORDER_H
