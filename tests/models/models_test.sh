#!/usr/bin/env bash
# Model-script tests (CTest label "models"), by step:
#   train      scripts/models/fashion_mnist.py --quick into WORK
#   torch_ptq  scripts/models/torch_ptq.py on it
#   evaluate   scripts/models/evaluate.py on its float outputs
#   octet      octet-convert + octet-run + evaluate.py (when the converter is built)
# Exits 77 (skipped) when Debian's Python or its torch/onnx/numpy packages or
# the Fashion-MNIST data are missing (scripts/install-deps.sh installs them).
set -euo pipefail
step=$1 source_dir=$2 work=$3
shift 3
python=/usr/bin/python3
scripts=$source_dir/scripts/models

if [[ ! -x $python ]] || ! $python -c 'import torch, torchvision, onnx, numpy' 2>/dev/null ||
   [[ ! -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  echo "models_test: skipped: needs /usr/bin/python3 with python3-torch, python3-torchvision," \
       "python3-onnx, python3-numpy and dataset-fashion-mnist"
  exit 77
fi

check_top1() {  # FILE MIN: evaluate.py's top-1 line must be at least MIN percent
  local line
  line=$($python "$scripts/evaluate.py" "$1" --labels "$work/test_labels.npy")
  echo "$line"
  $python -c "import sys; v=float(sys.argv[1].split()[1].rstrip('%')); sys.exit(0 if v >= float(sys.argv[2]) else 1)" \
    "$line" "$2" || { echo "models_test: top-1 of $1 below $2%" >&2; exit 1; }
}

case "$step" in
  train)
    rm -rf "$work"
    $python "$scripts/fashion_mnist.py" --quick --out "$work"
    for f in fashion_mnist.onnx fashion_mnist_bn.onnx fashion_mnist.pt calib.npy test_images.npy \
             test_labels.npy test_logits_float.npy info.json; do
      [[ -s $work/$f ]] || { echo "models_test: $work/$f was not written" >&2; exit 1; }
    done
    ;;
  torch_ptq)
    $python "$scripts/torch_ptq.py" "$work"
    check_top1 "$work/test_logits_torch_int8.npy" 50
    ;;
  evaluate)
    check_top1 "$work/test_logits_float.npy" 50
    out=$($python "$scripts/evaluate.py" "$work/test_logits_float.npy" --reference "$work/test_logits_float.npy")
    echo "$out"
    [[ $out == "SQNR: inf dB, max abs diff 0 "* ]] || { echo "models_test: self-comparison is not exact" >&2; exit 1; }
    ;;
  octet)  # args: octet-convert octet-run
    convert=$1 run=$2
    "$convert" "$work/fashion_mnist.onnx" -o "$work/fashion_mnist.octet" --calib "$work/calib.npy"
    "$run" --model "$work/fashion_mnist.octet" --input "$work/test_images.npy" \
      --output "$work/test_logits_octet.npy"
    check_top1 "$work/test_logits_octet.npy" 50
    $python "$scripts/evaluate.py" "$work/test_logits_octet.npy" --reference "$work/test_logits_float.npy"
    ;;
  *) echo "models_test: unknown step $step" >&2; exit 2 ;;
esac
