// Places activation tensors in one arena by their lifetimes.
#pragma once

#include <cstddef>
#include <vector>

// Runtime internals live in octet::rt; the public C++ wrapper (octet/octet.hpp) owns
// the names octet::Model, octet::Interpreter, octet::Status.
namespace octet::rt {

constexpr size_t kArenaAlignment = 64;
// Bytes past the end of the last tensor that SIMD kernels may over-read.
constexpr size_t kArenaTailPadding = 64;

// One tensor to place: `bytes` is live from operator `first_use` to
// operator `last_use`, inclusive (model inputs start at -1 or 0, outputs end
// at the last operator).
struct ArenaRequest {
  size_t bytes = 0;
  int first_use = 0;
  int last_use = 0;
};

struct ArenaPlan {
  std::vector<size_t> offsets;   // one per request, multiples of kArenaAlignment
  size_t arena_bytes = 0;        // end of the furthest tensor + kArenaTailPadding
  size_t lower_bound_bytes = 0;  // max over time of the sum of live (aligned) sizes
};

// Greedy by size (as TFLite Micro's planner): requests in decreasing size are
// placed at the lowest aligned offset that does not overlap any already placed
// request whose lifetime intersects theirs.
ArenaPlan PlanArena(const std::vector<ArenaRequest>& requests);

// True if two requests with intersecting lifetimes have intersecting byte
// ranges in `plan` (sets *a and *b to the first such pair). For tests.
bool FindArenaOverlap(const std::vector<ArenaRequest>& requests, const ArenaPlan& plan, int* a,
                      int* b);

}  // namespace octet::rt
