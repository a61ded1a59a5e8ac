// Greedy-by-size placement of activation tensors in one arena.
//
// Lifetimes: a request is live on the closed interval [first_use, last_use]
// of operator indices (model inputs may start at -1, "before operator 0").
// Two requests conflict when their intervals share at least one operator, so
// a tensor read by operator k and a tensor written by operator k never share
// bytes (no in-place ops), while the output of operator k+1 may reuse the
// bytes of a tensor whose last reader was operator k. A reversed interval
// (last_use < first_use) is taken as [last_use, first_use], the conservative
// reading.
//
// Sizes: every request occupies its size rounded up to kArenaAlignment and
// starts at a multiple of kArenaAlignment, so every tensor may be over-read up
// to its aligned end. Zero-byte requests are not placed: offset 0, they
// conflict with nothing. The arena ends kArenaTailPadding bytes past the end
// of the furthest tensor, so the last one may be over-read too; with nothing
// to place (no requests, or only zero-byte ones) arena_bytes is 0.
//
// Overflow: sizes are added with saturation. If the plan does not fit in
// size_t, arena_bytes is SIZE_MAX (which no allocator can satisfy, so the
// caller fails when allocating) and the offsets are meaningless.
//
// Why hand-written: the planner is ~100 lines over the runtime's own tensor
// records; no packaged library plans inference arenas.
#include "arena_planner.h"

#include <algorithm>
#include <cstdint>

namespace octet::rt {
namespace {

constexpr size_t kSizeMax = SIZE_MAX;

size_t SaturatingAdd(size_t a, size_t b) { return a > kSizeMax - b ? kSizeMax : a + b; }

// Rounds up to kArenaAlignment; saturates to the largest aligned size_t.
size_t AlignUp(size_t bytes) {
  constexpr size_t kMask = kArenaAlignment - 1;
  if (bytes > kSizeMax - kMask) return kSizeMax & ~kMask;
  return (bytes + kMask) & ~kMask;
}

int Begin(const ArenaRequest& r) { return std::min(r.first_use, r.last_use); }
int End(const ArenaRequest& r) { return std::max(r.first_use, r.last_use); }

bool LifetimesIntersect(const ArenaRequest& x, const ArenaRequest& y) {
  return Begin(x) <= End(y) && Begin(y) <= End(x);
}

// Max over time of the sum of aligned sizes of live requests. The sum is
// largest at some request's first use, so it is enough to evaluate it there:
// O(n^2), with saturating sums and no removals to undo.
size_t LowerBound(const std::vector<ArenaRequest>& requests) {
  size_t best = 0;
  for (const ArenaRequest& r : requests) {
    if (r.bytes == 0) continue;
    const int t = Begin(r);
    size_t live = 0;
    for (const ArenaRequest& other : requests) {
      if (other.bytes != 0 && Begin(other) <= t && t <= End(other)) {
        live = SaturatingAdd(live, AlignUp(other.bytes));
      }
    }
    best = std::max(best, live);
  }
  return best;
}

}  // namespace

ArenaPlan PlanArena(const std::vector<ArenaRequest>& requests) {
  const size_t n = requests.size();
  ArenaPlan plan;
  plan.offsets.assign(n, 0);
  plan.lower_bound_bytes = LowerBound(requests);

  // Placement order: largest first (big tensors are hardest to fit into
  // gaps), ties by earlier first use, then by index so the plan is stable.
  std::vector<int> order;
  order.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (requests[i].bytes != 0) order.push_back(static_cast<int>(i));
  }
  std::sort(order.begin(), order.end(), [&](int x, int y) {
    const size_t bx = AlignUp(requests[x].bytes), by = AlignUp(requests[y].bytes);
    if (bx != by) return bx > by;
    if (Begin(requests[x]) != Begin(requests[y])) return Begin(requests[x]) < Begin(requests[y]);
    return x < y;
  });

  // Placed requests, kept sorted by offset so each placement is one linear
  // scan: O(n) per request, O(n^2) in all.
  std::vector<int> placed;
  placed.reserve(order.size());
  size_t max_end = 0;
  for (const int i : order) {
    const ArenaRequest& r = requests[i];
    const size_t bytes = AlignUp(r.bytes);
    // First gap among the conflicting placed requests that fits `bytes`;
    // `candidate` only moves past requests that would overlap it.
    size_t candidate = 0;
    for (const int p : placed) {
      if (!LifetimesIntersect(r, requests[p])) continue;
      const size_t p_offset = plan.offsets[p];
      if (p_offset >= SaturatingAdd(candidate, bytes)) break;  // the gap before p fits
      candidate = std::max(candidate, SaturatingAdd(p_offset, AlignUp(requests[p].bytes)));
    }
    plan.offsets[i] = candidate;
    max_end = std::max(max_end, SaturatingAdd(candidate, bytes));
    const auto at = std::upper_bound(placed.begin(), placed.end(), candidate,
                                     [&](size_t offset, int p) { return offset < plan.offsets[p]; });
    placed.insert(at, i);
  }
  plan.arena_bytes = max_end == 0 ? 0 : SaturatingAdd(max_end, kArenaTailPadding);
  return plan;
}

bool FindArenaOverlap(const std::vector<ArenaRequest>& requests, const ArenaPlan& plan, int* a,
                      int* b) {
  auto report = [&](int x, int y) {
    if (a) *a = x;
    if (b) *b = y;
    return true;
  };
  // Byte ranges are the aligned sizes the planner reserves (for aligned
  // offsets this is the same as comparing the raw sizes). A plan for a
  // different request list is as wrong as an overlap: true, with -1, -1.
  if (plan.offsets.size() != requests.size()) return report(-1, -1);
  const int n = static_cast<int>(requests.size());
  for (int i = 0; i < n; ++i) {
    if (requests[i].bytes == 0) continue;
    const size_t begin_i = plan.offsets[i];
    const size_t end_i = SaturatingAdd(begin_i, AlignUp(requests[i].bytes));
    for (int j = i + 1; j < n; ++j) {
      if (requests[j].bytes == 0 || !LifetimesIntersect(requests[i], requests[j])) continue;
      const size_t begin_j = plan.offsets[j];
      const size_t end_j = SaturatingAdd(begin_j, AlignUp(requests[j].bytes));
      if (begin_i < end_j && begin_j < end_i) return report(i, j);
    }
  }
  return false;
}

}  // namespace octet::rt
