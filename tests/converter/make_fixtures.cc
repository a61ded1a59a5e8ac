// Writes the fixtures of the octet-convert command-line tests into a folder:
// a good ONNX model, one with unsupported ops, a non-ONNX file, calibration
// arrays of the right shape, the wrong shape and the wrong dtype, and an
// image folder holding a broken image.
#include <onnx/onnx_pb.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <stb/stb_image_write.h>

#include "converter/calibration.h"

namespace {

void Save(const onnx::ModelProto& m, const std::string& path) {
  std::ofstream f(path, std::ios::binary);
  m.SerializeToOstream(&f);
}

onnx::ModelProto Model(bool unsupported) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  auto* op = m.add_opset_import();
  op->set_version(13);
  auto* g = m.mutable_graph();
  auto* in = g->add_input();
  in->set_name("x");
  auto* tt = in->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(onnx::TensorProto::FLOAT);
  for (int d : {1, 3, 4, 4}) tt->mutable_shape()->add_dim()->set_dim_value(d);
  g->add_output()->set_name("y");
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto::FLOAT);
  for (int d : {3, 3, 1, 1}) w->add_dims(d);
  for (int i = 0; i < 9; ++i) w->add_float_data(0.25f * static_cast<float>(i - 4));
  auto node = [&](const std::string& type, const std::string& name, const std::string& a, const std::string& b) {
    auto* n = g->add_node();
    n->set_op_type(type);
    n->set_name(name);
    n->add_input(a);
    if (type == "Conv") n->add_input("w");
    n->add_output(b);
  };
  node("Conv", "conv", "x", "c");
  if (unsupported) {
    node("Erf", "erf1", "c", "e1");
    node("Erf", "erf2", "e1", "e2");
    node("Round", "round", "e2", "y");
  } else {
    node("Relu", "relu", "c", "y");
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_fixtures DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  std::filesystem::create_directories(dir + "/images");
  std::filesystem::create_directories(dir + "/empty");
  Save(Model(false), dir + "/good.onnx");
  Save(Model(true), dir + "/unsupported.onnx");
  std::ofstream(dir + "/not_onnx.onnx") << "this is not an ONNX model\n";
  std::filesystem::create_directories(dir + "/good_images");
  std::ofstream(dir + "/images/broken.png") << "not a png";
  // Two 8x6 RGB images (resized to the model's 4x4 on loading).
  for (int k = 0; k < 2; ++k) {
    std::vector<unsigned char> rgb(8 * 6 * 3);
    for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<unsigned char>((i * 37 + static_cast<size_t>(k) * 91) % 256);
    const std::string png = dir + "/good_images/img" + std::to_string(k) + ".png";
    if (!stbi_write_png(png.c_str(), 8, 6, 3, rgb.data(), 8 * 3)) return 1;
  }
  octet::convert::WriteNpy(dir + "/calib.npy", {3, 3, 4, 4}, std::vector<float>(144, 0.5f));
  octet::convert::WriteNpy(dir + "/wrong_shape.npy", {3, 4, 4, 3}, std::vector<float>(144, 0.5f));
  // A complex64 array: a dtype the converter does not read.
  std::string header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 3, 4, 4), }";
  while ((10 + header.size() + 1) % 64) header += ' ';
  header += '\n';
  std::ofstream f(dir + "/wrong_dtype.npy", std::ios::binary);
  f.write("\x93NUMPY\x01\x00", 8);
  f.put(static_cast<char>(header.size()));
  f.put(0);
  f << header << std::string(48 * 8, '\0');
  return 0;
}
