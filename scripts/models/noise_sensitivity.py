#!/usr/bin/python3
"""How much output SQNR a model can keep when every layer is a little noisy:
the yardstick for int8 output SQNR of the random-weight test models.

Rebuilds a model exactly as torchvision_models.py does (same seed, same
BatchNorm re-estimation), adds Gaussian noise at --db dB below each conv
output's RMS (int8 quantization of a well-scaled tensor is about 40 dB), and
prints the output SQNR and top-1 agreement against the clean float outputs on
the held-out inputs. Networks with random weights and BatchNorm are chaotic:
they amplify small perturbations layer after layer much more than trained
networks do, so a low int8 SQNR on them is not by itself a converter fault.

  /usr/bin/python3 scripts/models/noise_sensitivity.py [OUT] [--models a,b] [--db 40]
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
import evaluate  # noqa: E402
import torchvision_models  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", nargs="?", default="build/models", help="torchvision_models.py's folder")
    p.add_argument("--models", default=",".join(torchvision_models.MODELS))
    p.add_argument("--db", type=float, default=40.0, help="noise level below each conv's RMS")
    p.add_argument("--count", type=int, default=8, help="held-out inputs to use")
    p.add_argument("--seed", type=int, default=0, help="the seed torchvision_models.py used")
    args = p.parse_args()
    import torch
    import torchvision
    torch.set_num_threads(1)
    heldout_path = os.path.join(args.out, "inputs", "heldout.npy")
    if not os.path.exists(heldout_path):
        sys.exit(f"noise_sensitivity: {heldout_path} is missing: run torchvision_models.py first")
    x = torch.from_numpy(np.load(heldout_path)[:args.count])
    for name in args.models.split(","):
        common.seed_everything(args.seed)
        model = getattr(torchvision.models, name)(weights=None)
        torchvision_models.reestimate_batchnorm(model, 8, 8, x.shape[-1],
                                                torch.Generator().manual_seed(args.seed + 3))
        with torch.no_grad():
            reference = model(x).numpy().astype(np.float64)
        noise = torch.Generator().manual_seed(args.seed + 9)

        def add_noise(module, inputs, output):
            rms = output.pow(2).mean().sqrt()
            return output + torch.randn(output.shape, generator=noise) * rms * 10 ** (-args.db / 20)

        hooks = [m.register_forward_hook(add_noise) for m in model.modules()
                 if isinstance(m, torch.nn.Conv2d)]
        with torch.no_grad():
            noisy = model(x).numpy().astype(np.float64)
        for h in hooks:
            h.remove()
        agree = 100.0 * float((noisy.argmax(1) == reference.argmax(1)).mean())
        print(f"{name}: noise {args.db:g} dB below every conv output ({len(hooks)} convs) -> "
              f"output SQNR {evaluate.sqnr_db(noisy, reference):.1f} dB, top-1 agreement "
              f"{agree:.0f}% on {len(x)} held-out inputs", flush=True)


if __name__ == "__main__":
    main()
