// Tests of the arena planner: hand cases, then seeded random graphs checked
// by an independent brute-force sweep over time.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "arena_planner.h"

namespace octet::rt {
namespace {

ArenaRequest Req(size_t bytes, int first_use, int last_use) {
  ArenaRequest r;
  r.bytes = bytes;
  r.first_use = first_use;
  r.last_use = last_use;
  return r;
}

size_t Aligned(size_t bytes) {
  return (bytes + kArenaAlignment - 1) / kArenaAlignment * kArenaAlignment;
}

std::string Describe(const std::vector<ArenaRequest>& requests, const ArenaPlan& plan) {
  std::ostringstream out;
  out << requests.size() << " requests, arena " << plan.arena_bytes << ", lower bound "
      << plan.lower_bound_bytes << "\n";
  for (size_t i = 0; i < requests.size() && i < 64; ++i) {
    out << "  #" << i << " bytes " << requests[i].bytes << " [" << requests[i].first_use << ", "
        << requests[i].last_use << "]";
    if (i < plan.offsets.size()) out << " @ " << plan.offsets[i];
    out << "\n";
  }
  return out.str();
}

// Independent of the planner's own checker (which compares pairs): walks
// every operator index, sorts the tensors live there by offset and checks
// that each starts at or after the furthest end seen so far. Returns "" when
// no two live tensors share a byte. Assumes first_use <= last_use.
std::string BruteForceOverlap(const std::vector<ArenaRequest>& requests,
                              const std::vector<size_t>& offsets) {
  if (offsets.size() != requests.size()) return "offset count differs from request count";
  int t_min = 0, t_max = -1;
  for (const ArenaRequest& r : requests) {
    t_min = std::min(t_min, r.first_use);
    t_max = std::max(t_max, r.last_use);
  }
  std::vector<int> live;
  for (int t = t_min; t <= t_max; ++t) {
    live.clear();
    for (size_t i = 0; i < requests.size(); ++i) {
      if (requests[i].bytes != 0 && requests[i].first_use <= t && t <= requests[i].last_use) {
        live.push_back(static_cast<int>(i));
      }
    }
    std::sort(live.begin(), live.end(), [&](int x, int y) { return offsets[x] < offsets[y]; });
    size_t furthest = 0;
    int furthest_owner = -1;
    for (const int i : live) {
      if (offsets[i] < furthest) {
        std::ostringstream problem;
        problem << "at operator " << t << ": #" << i << " at " << offsets[i] << " overlaps #"
                << furthest_owner << " ending at " << furthest;
        return problem.str();
      }
      const size_t end = offsets[i] + Aligned(requests[i].bytes);
      if (end > furthest) {
        furthest = end;
        furthest_owner = i;
      }
    }
  }
  return "";
}

// The whole contract: no overlap, aligned offsets, every tensor plus the tail
// padding inside the arena, arena_bytes exactly the furthest end plus the
// padding (0 when nothing is placed), and the lower bound recomputed the slow
// way (sum over each operator index). Returns "" when the plan is valid.
std::string BruteForceCheck(const std::vector<ArenaRequest>& requests, const ArenaPlan& plan) {
  const std::string overlap = BruteForceOverlap(requests, plan.offsets);
  if (!overlap.empty()) return overlap;
  std::ostringstream problem;
  size_t max_end = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].bytes == 0) continue;
    if (plan.offsets[i] % kArenaAlignment != 0) {
      problem << "#" << i << " offset " << plan.offsets[i] << " not aligned";
      return problem.str();
    }
    const size_t end = plan.offsets[i] + Aligned(requests[i].bytes);
    if (end + kArenaTailPadding > plan.arena_bytes) {
      problem << "#" << i << " ends at " << end << ", past arena " << plan.arena_bytes
              << " minus padding";
      return problem.str();
    }
    max_end = std::max(max_end, end);
  }
  const size_t expected_arena = max_end ? max_end + kArenaTailPadding : 0;
  if (plan.arena_bytes != expected_arena) {
    problem << "arena_bytes " << plan.arena_bytes << ", expected " << expected_arena;
    return problem.str();
  }
  int t_min = 0, t_max = -1;
  for (const ArenaRequest& r : requests) {
    t_min = std::min(t_min, r.first_use);
    t_max = std::max(t_max, r.last_use);
  }
  size_t lower_bound = 0;
  for (int t = t_min; t <= t_max; ++t) {
    size_t live_bytes = 0;
    for (const ArenaRequest& r : requests) {
      if (r.first_use <= t && t <= r.last_use) live_bytes += Aligned(r.bytes);
    }
    lower_bound = std::max(lower_bound, live_bytes);
  }
  if (plan.lower_bound_bytes != lower_bound) {
    problem << "lower_bound_bytes " << plan.lower_bound_bytes << ", expected " << lower_bound;
    return problem.str();
  }
  if (plan.arena_bytes != 0 && plan.arena_bytes < plan.lower_bound_bytes + kArenaTailPadding) {
    problem << "arena " << plan.arena_bytes << " below lower bound + padding";
    return problem.str();
  }
  return "";
}

void ExpectValid(const std::vector<ArenaRequest>& requests, const ArenaPlan& plan) {
  EXPECT_EQ(BruteForceCheck(requests, plan), "") << Describe(requests, plan);
  int a = -2, b = -2;
  EXPECT_FALSE(FindArenaOverlap(requests, plan, &a, &b))
      << "#" << a << " and #" << b << "\n" << Describe(requests, plan);
}

// --- hand cases ------------------------------------------------------------

TEST(ArenaPlanner, NoRequestsGiveAnEmptyArena) {
  const ArenaPlan plan = PlanArena({});
  EXPECT_TRUE(plan.offsets.empty());
  EXPECT_EQ(plan.arena_bytes, 0u);
  EXPECT_EQ(plan.lower_bound_bytes, 0u);
  EXPECT_FALSE(FindArenaOverlap({}, plan, nullptr, nullptr));
}

TEST(ArenaPlanner, OneRequestIsAlignedAndPadded) {
  const std::vector<ArenaRequest> requests = {Req(100, 0, 0)};
  const ArenaPlan plan = PlanArena(requests);
  ASSERT_EQ(plan.offsets.size(), 1u);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.lower_bound_bytes, 128u);
  EXPECT_EQ(plan.arena_bytes, 128u + kArenaTailPadding);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, OneByteTakesOneAlignmentUnit) {
  const std::vector<ArenaRequest> requests = {Req(1, 0, 3), Req(1, 1, 2)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.lower_bound_bytes, 2 * kArenaAlignment);
  EXPECT_EQ(plan.arena_bytes, 2 * kArenaAlignment + kArenaTailPadding);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, ChainOfOpsPingPongsBetweenTwoBuffers) {
  // input -> op0 -> t1 -> op1 -> t2 -> op2 -> t3 -> op3 -> output
  const std::vector<ArenaRequest> requests = {Req(1000, -1, 0), Req(1000, 0, 1), Req(1000, 1, 2),
                                              Req(1000, 2, 3), Req(1000, 3, 3)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.lower_bound_bytes, 2 * 1024u);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024u + kArenaTailPadding);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.offsets[2], plan.offsets[4]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[3]);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, AllLiveAreStackedLargestFirst) {
  const std::vector<ArenaRequest> requests = {Req(64, 0, 5), Req(128, 0, 5), Req(1, 0, 5),
                                              Req(200, 0, 5)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.offsets[3], 0u);    // 256 aligned bytes
  EXPECT_EQ(plan.offsets[1], 256u);  // 128
  EXPECT_EQ(plan.offsets[0], 384u);  // 64, ties broken by index
  EXPECT_EQ(plan.offsets[2], 448u);  // 1 byte -> 64
  EXPECT_EQ(plan.lower_bound_bytes, 512u);
  EXPECT_EQ(plan.arena_bytes, 512u + kArenaTailPadding);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, SameSizeTiesGoByFirstUse) {
  // Equal sizes, all live at operator 5: the earlier first use goes lower.
  const std::vector<ArenaRequest> requests = {Req(64, 3, 5), Req(64, 1, 5), Req(64, 2, 5)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.offsets[1], 0u);
  EXPECT_EQ(plan.offsets[2], 64u);
  EXPECT_EQ(plan.offsets[0], 128u);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, SmallTensorFillsGapOfDeadOne) {
  // Three 128-byte tensors placed at 0, 128, 256; the middle one dies after
  // operator 1, so a 64-byte tensor live at 5..6 goes into its hole.
  const std::vector<ArenaRequest> requests = {Req(128, 0, 9), Req(128, 0, 1), Req(128, 0, 9),
                                              Req(64, 5, 6)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.offsets[1], 128u);
  EXPECT_EQ(plan.offsets[2], 256u);
  EXPECT_EQ(plan.offsets[3], 128u);
  EXPECT_EQ(plan.arena_bytes, 384u + kArenaTailPadding);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, GapTooSmallIsSkipped) {
  // The hole at [64, 128) cannot take 128 bytes: it goes after the last.
  const std::vector<ArenaRequest> requests = {Req(256, 0, 9), Req(64, 0, 1), Req(64, 0, 9),
                                              Req(128, 5, 6)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.offsets[3], 256u);  // placed before the 64-byte ones
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, ZeroSizeRequestsTakeNoSpace) {
  const std::vector<ArenaRequest> requests = {Req(0, 0, 9), Req(100, 0, 2), Req(0, 1, 1),
                                              Req(100, 1, 3)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.offsets[0], 0u);
  EXPECT_EQ(plan.offsets[2], 0u);
  EXPECT_EQ(plan.lower_bound_bytes, 256u);
  EXPECT_EQ(plan.arena_bytes, 256u + kArenaTailPadding);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, OnlyZeroSizeRequestsGiveAnEmptyArena) {
  const std::vector<ArenaRequest> requests = {Req(0, 0, 1), Req(0, 1, 2)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.offsets, std::vector<size_t>({0, 0}));
  EXPECT_EQ(plan.arena_bytes, 0u);
  EXPECT_EQ(plan.lower_bound_bytes, 0u);
  ExpectValid(requests, plan);
}

TEST(ArenaPlanner, LifetimesAreInclusive) {
  // Sharing one operator (2) means conflicting; touching ends do not.
  const std::vector<ArenaRequest> sharing = {Req(64, 0, 2), Req(64, 2, 4)};
  const ArenaPlan a = PlanArena(sharing);
  EXPECT_NE(a.offsets[0], a.offsets[1]);
  const std::vector<ArenaRequest> disjoint = {Req(64, -1, 1), Req(64, 2, 4)};
  const ArenaPlan b = PlanArena(disjoint);
  EXPECT_EQ(b.offsets[0], b.offsets[1]);
  EXPECT_EQ(b.arena_bytes, 64u + kArenaTailPadding);
}

TEST(ArenaPlanner, ReversedLifetimeIsReadConservatively) {
  // [3, 1] is taken as [1, 3], so it conflicts with [2, 2].
  const std::vector<ArenaRequest> requests = {Req(64, 3, 1), Req(64, 2, 2)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);
  EXPECT_EQ(plan.lower_bound_bytes, 128u);
  EXPECT_FALSE(FindArenaOverlap(requests, plan, nullptr, nullptr));
}

TEST(ArenaPlanner, OverflowSaturatesArenaSize) {
  const size_t half = SIZE_MAX / 2 + 1;
  const std::vector<ArenaRequest> requests = {Req(half, 0, 1), Req(half, 1, 2)};
  const ArenaPlan plan = PlanArena(requests);
  EXPECT_EQ(plan.arena_bytes, SIZE_MAX);
  EXPECT_EQ(plan.lower_bound_bytes, SIZE_MAX);
  const std::vector<ArenaRequest> one = {Req(SIZE_MAX, 0, 0)};
  EXPECT_EQ(PlanArena(one).arena_bytes, SIZE_MAX);
}

TEST(ArenaPlanner, PlanIsDeterministic) {
  const std::vector<ArenaRequest> requests = {Req(300, 0, 4), Req(300, 1, 2), Req(64, 2, 6),
                                              Req(300, 3, 6), Req(64, 0, 6)};
  const ArenaPlan a = PlanArena(requests), b = PlanArena(requests);
  EXPECT_EQ(a.offsets, b.offsets);
  EXPECT_EQ(a.arena_bytes, b.arena_bytes);
}

// --- the overlap checker -------------------------------------------------

TEST(FindArenaOverlap, ReportsFirstConflictingPair) {
  const std::vector<ArenaRequest> requests = {Req(64, 0, 1), Req(128, 5, 6), Req(64, 1, 2),
                                              Req(64, 5, 5)};
  ArenaPlan plan;
  plan.offsets = {0, 64, 0, 128};  // #0/#2 share bytes at operator 1
  plan.arena_bytes = 256;
  int a = -2, b = -2;
  EXPECT_TRUE(FindArenaOverlap(requests, plan, &a, &b));
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 2);
  EXPECT_NE(BruteForceCheck(requests, plan), "");
}

TEST(FindArenaOverlap, PartialOverlapIsDetected) {
  const std::vector<ArenaRequest> requests = {Req(128, 0, 1), Req(64, 1, 2)};
  ArenaPlan plan;
  plan.offsets = {0, 64};  // [0, 128) and [64, 128): the second starts inside
  EXPECT_TRUE(FindArenaOverlap(requests, plan, nullptr, nullptr));
  plan.offsets = {64, 0};  // [64, 192) and [0, 64): they only touch
  EXPECT_FALSE(FindArenaOverlap(requests, plan, nullptr, nullptr));
  plan.offsets = {64, 128};  // [64, 192) and [128, 192)
  EXPECT_TRUE(FindArenaOverlap(requests, plan, nullptr, nullptr));
}

TEST(FindArenaOverlap, SharedBytesWithDisjointLifetimesAreFine) {
  const std::vector<ArenaRequest> requests = {Req(64, 0, 1), Req(64, 2, 3)};
  ArenaPlan plan;
  plan.offsets = {0, 0};
  EXPECT_FALSE(FindArenaOverlap(requests, plan, nullptr, nullptr));
}

TEST(FindArenaOverlap, ZeroSizeNeverOverlaps) {
  const std::vector<ArenaRequest> requests = {Req(64, 0, 1), Req(0, 0, 1)};
  ArenaPlan plan;
  plan.offsets = {0, 0};
  EXPECT_FALSE(FindArenaOverlap(requests, plan, nullptr, nullptr));
}

TEST(FindArenaOverlap, WrongOffsetCountIsAnError) {
  const std::vector<ArenaRequest> requests = {Req(64, 0, 1)};
  ArenaPlan plan;
  int a = 0, b = 0;
  EXPECT_TRUE(FindArenaOverlap(requests, plan, &a, &b));
  EXPECT_EQ(a, -1);
  EXPECT_EQ(b, -1);
}

// --- seeded random graphs --------------------------------------------------

// Sizes from 1 byte to "huge" (a 1/4096 share of the address space, so that a
// few hundred of them still fit in size_t on 32-bit targets), and some zeros.
size_t RandomSize(std::mt19937_64& rng) {
  const int kind = std::uniform_int_distribution<int>(0, 99)(rng);
  if (kind < 5) return 0;
  if (kind < 15) return 1;
  if (kind < 70) return std::uniform_int_distribution<size_t>(1, 64 << 10)(rng);
  if (kind < 95) return std::uniform_int_distribution<size_t>(64 << 10, 4 << 20)(rng);
  // On 32-bit targets SIZE_MAX / 4096 is 1 MiB, below the lower bound: "huge"
  // is then up to 8 MiB (300 of them still fit in 4 GiB).
  return std::uniform_int_distribution<size_t>(
      4 << 20, std::max<size_t>(size_t{8} << 20, SIZE_MAX / 4096))(rng);
}

// Arbitrary intervals over up to 300 operators, sizes from RandomSize or, when
// `small`, uniform in 1..64 KiB (the huge sizes make any plan look tight).
std::vector<ArenaRequest> RandomIntervals(std::mt19937_64& rng, bool small) {
  const int n = std::uniform_int_distribution<int>(1, 200)(rng);
  const int num_ops = std::uniform_int_distribution<int>(1, 300)(rng);
  const int max_len = std::uniform_int_distribution<int>(0, num_ops)(rng);
  std::vector<ArenaRequest> requests(n);
  for (ArenaRequest& r : requests) {
    r.bytes = small ? std::uniform_int_distribution<size_t>(1, 64 << 10)(rng) : RandomSize(rng);
    r.first_use = std::uniform_int_distribution<int>(-1, num_ops - 1)(rng);
    r.last_use = std::min(num_ops - 1,
                          r.first_use + std::uniform_int_distribution<int>(0, max_len)(rng));
    r.last_use = std::max(r.last_use, r.first_use);
  }
  return requests;
}
std::vector<ArenaRequest> RandomIntervalsAnySize(std::mt19937_64& rng) {
  return RandomIntervals(rng, false);
}
std::vector<ArenaRequest> RandomIntervalsSmall(std::mt19937_64& rng) {
  return RandomIntervals(rng, true);
}

// A network-like graph: operator k reads one or two earlier tensors (mostly
// the latest; sometimes a skip connection) and writes tensor k+1; tensor 0 is
// the model input (first use -1) and the last one the output. Sizes are
// feature maps H*W*C that shrink and widen as in a CNN.
std::vector<ArenaRequest> RandomNetwork(std::mt19937_64& rng) {
  const int num_ops = std::uniform_int_distribution<int>(1, 150)(rng);
  std::vector<ArenaRequest> requests(num_ops + 1);
  int hw = 1 << std::uniform_int_distribution<int>(2, 8)(rng);  // 4..256
  int channels = 1 << std::uniform_int_distribution<int>(0, 5)(rng);
  requests[0] = Req(static_cast<size_t>(hw) * hw * 3, -1, -1);
  for (int op = 0; op < num_ops; ++op) {
    const int t = op + 1;
    const int roll = std::uniform_int_distribution<int>(0, 9)(rng);
    if (roll == 0 && hw > 1) hw /= 2;  // strided conv / pool
    if (roll <= 1 && channels < 1024) channels *= 2;
    if (roll == 9) channels = std::max(1, channels / 2);
    requests[t] = Req(static_cast<size_t>(hw) * hw * channels, op, op);
    requests[t - 1].last_use = std::max(requests[t - 1].last_use, op);
    if (std::uniform_int_distribution<int>(0, 3)(rng) == 0) {  // skip connection
      const int back = std::uniform_int_distribution<int>(0, t - 1)(rng);
      requests[back].last_use = std::max(requests[back].last_use, op);
    }
  }
  requests[num_ops].last_use = num_ops - 1;  // the output lives to the end
  return requests;
}

struct RatioStats {
  double sum = 0, max = 0;
  int count = 0;
  void Add(const ArenaPlan& plan) {
    if (plan.lower_bound_bytes == 0) return;
    const double ratio = static_cast<double>(plan.arena_bytes - kArenaTailPadding) /
                         static_cast<double>(plan.lower_bound_bytes);
    sum += ratio;
    max = std::max(max, ratio);
    ++count;
  }
  std::string Report() const {
    std::ostringstream out;
    out.precision(4);
    out << "mean " << (count ? sum / count : 0.0) << ", max " << max << " over " << count
        << " graphs";
    return out.str();
  }
};

// Breaks `plan` on purpose: puts one request onto the bytes of another whose
// lifetime intersects it. Returns false if no such pair exists.
bool BreakPlan(const std::vector<ArenaRequest>& requests, std::mt19937_64& rng, ArenaPlan* plan) {
  std::vector<std::pair<int, int>> pairs;
  const int n = static_cast<int>(requests.size());
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      if (i != j && requests[i].bytes && requests[j].bytes &&
          requests[i].first_use <= requests[j].last_use &&
          requests[j].first_use <= requests[i].last_use) {
        pairs.emplace_back(i, j);
      }
    }
  }
  if (pairs.empty()) return false;
  const auto [i, j] = pairs[std::uniform_int_distribution<size_t>(0, pairs.size() - 1)(rng)];
  plan->offsets[j] = plan->offsets[i];
  return true;
}

void CheckRandomFamily(const char* family,
                       std::vector<ArenaRequest> (*generate)(std::mt19937_64&), uint64_t seed,
                       int num_graphs) {
  std::mt19937_64 rng(seed);
  RatioStats stats;
  int broken = 0;
  for (int g = 0; g < num_graphs; ++g) {
    const std::vector<ArenaRequest> requests = generate(rng);
    const ArenaPlan plan = PlanArena(requests);
    const std::string problem = BruteForceCheck(requests, plan);
    ASSERT_EQ(problem, "") << family << " graph " << g << "\n" << Describe(requests, plan);
    int a = -2, b = -2;
    ASSERT_FALSE(FindArenaOverlap(requests, plan, &a, &b))
        << family << " graph " << g << ": #" << a << " and #" << b << "\n"
        << Describe(requests, plan);
    stats.Add(plan);

    // A deliberately broken plan: both checkers must see it.
    ArenaPlan bad = plan;
    if (BreakPlan(requests, rng, &bad)) {
      ++broken;
      ASSERT_TRUE(FindArenaOverlap(requests, bad, &a, &b)) << family << " graph " << g;
      ASSERT_NE(BruteForceCheck(requests, bad), "") << family << " graph " << g;
    }
    // A random move of one tensor: the two checkers must agree either way.
    ArenaPlan moved = plan;
    const size_t k = std::uniform_int_distribution<size_t>(0, requests.size() - 1)(rng);
    const size_t slots = plan.arena_bytes / kArenaAlignment;
    moved.offsets[k] =
        slots ? std::uniform_int_distribution<size_t>(0, slots - 1)(rng) * kArenaAlignment : 0;
    const bool brute_overlap = !BruteForceOverlap(requests, moved.offsets).empty();
    ASSERT_EQ(FindArenaOverlap(requests, moved, nullptr, nullptr), brute_overlap)
        << family << " graph " << g << ", moved #" << k << "\n" << Describe(requests, moved);
  }
  EXPECT_GT(broken, num_graphs / 2);
  std::cout << "[ planner  ] " << family << ": (arena - tail padding) / lower bound: "
            << stats.Report() << std::endl;
}

// Each family prints the mean and max of (arena - tail padding) / lower bound.
TEST(ArenaPlannerRandom, IntervalsAnySize) {
  CheckRandomFamily("random intervals, 0 B to huge", RandomIntervalsAnySize, 0x0c7e7a11, 1000);
}

TEST(ArenaPlannerRandom, IntervalsSmall) {
  CheckRandomFamily("random intervals, 1 B to 64 KiB", RandomIntervalsSmall, 0x0c7e7a12, 1000);
}

TEST(ArenaPlannerRandom, Networks) {
  CheckRandomFamily("random CNN-like graphs", RandomNetwork, 0x0c7e7b22, 1000);
}

}  // namespace
}  // namespace octet::rt
