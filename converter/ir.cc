// Graph IR helpers.
#include "converter/ir.h"

#include <algorithm>
#include <set>
#include <sstream>

namespace octet {
namespace convert {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const Shape& shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
  s << "]";
  return s.str();
}

int Graph::Uses(int t) const {
  int n = 0;
  for (const Node& node : nodes)
    for (int i : node.inputs) n += i == t;
  for (int o : outputs) n += o == t;
  return n;
}

int Graph::Producer(int t) const {
  for (size_t k = 0; k < nodes.size(); ++k)
    for (int o : nodes[k].outputs)
      if (o == t) return static_cast<int>(k);
  return -1;
}

void Graph::ReplaceUses(int from, int to) {
  for (Node& node : nodes)
    for (int& i : node.inputs)
      if (i == from) i = to;
  for (int& o : outputs)
    if (o == from) o = to;
}

void Graph::RemoveDeadNodes() {
  bool changed = true;
  while (changed) {
    changed = false;
    std::set<int> used(outputs.begin(), outputs.end());
    for (const Node& n : nodes) used.insert(n.inputs.begin(), n.inputs.end());
    for (size_t k = nodes.size(); k-- > 0;) {
      bool live = false;
      for (int o : nodes[k].outputs) live |= used.count(o) != 0;
      if (!live) {
        nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(k));
        changed = true;
      }
    }
  }
}

std::string OpSummary(const Graph& g) {
  std::map<std::string, int> counts;
  for (const Node& n : g.nodes) ++counts[n.op];
  std::ostringstream s;
  bool first = true;
  for (const auto& [op, c] : counts) {
    s << (first ? "" : ", ") << op << " x" << c;
    first = false;
  }
  return s.str();
}

}  // namespace convert
}  // namespace octet
