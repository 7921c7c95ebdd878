"""Where the mel VAE's reconstruction loses the attributes: short runs of recipes side by side, each measured by the round trip
mel -> VAE -> Griffin-Lim with `attribute_agreement` on the first 300 SynthCaps test clips.

    python benchmarks/vae_recipes.py                  # every recipe below, 1500 steps each (about 5 min a recipe on 2 cores)
    python benchmarks/vae_recipes.py --only small-peak4 --steps 3000

Recipes differ in width (`channels x multipliers`) and loss. The losses tried, on log10-mel L1:
- `peak`: the loss of `11_vae` (a bin's weight grows with its height above silence);
- `level`: + |frame level of the reconstruction - of the target|, the level being log10 of the frame's summed power;
- `gain-level`: the same, but its gradient moves only a frame's mean (a gain), never the spectral shape;
- `compressed`: + |magnitude^0.3 - target magnitude^0.3| (a loss in the linear domain, compressed).
Every run draws from the same 20 000 rendered training clips, batch 32, AdamW at 1e-3 with warm-up and cosine (`10_training`).
"""
from __future__ import annotations

import argparse
import math
import time

import torch

from audiolcm.audio import PAD_VALUE
from audiolcm.metrics import mel_corpus
from audiolcm.synthcaps import attribute_agreement
from audiolcm.training import fit
from audiolcm.vae import MelVAE, VAEConfig, measure_scale_factor
from audiolcm.vocoder import GriffinLimVocoder, peak_guard

RECIPES = {  # name: (channels, multipliers, peak weight, level weight, gain-only level, compressed-magnitude weight)
    "tiny-l1": (64, (1, 2), 0, 0, False, 0),
    "tiny-peak4": (64, (1, 2), 4, 0, False, 0),
    "tiny-peak4-level1": (64, (1, 2), 4, 1, False, 0),
    "tiny-peak4-level0.25": (64, (1, 2), 4, 0.25, False, 0),
    "tiny-compressed4": (64, (1, 2), 0, 0, False, 4),
    "small-peak4": (128, (1, 1), 4, 0, False, 0),
    "small-peak16": (128, (1, 1), 16, 0, False, 0),
    "small-peak4-level0.1": (128, (1, 1), 4, 0.1, False, 0),
    "small-peak4-gainlevel0.25": (128, (1, 1), 4, 0.25, True, 0),
}


def frame_level(mel: torch.Tensor) -> torch.Tensor:
    "log10 of a frame's summed power, in log10-magnitude units: (B, 80, T) -> (B, T)."
    return torch.logsumexp(2 * math.log(10) * mel, dim=1) / (2 * math.log(10))


def recipe_loss(mel, rec, peak, level, gain_only, compressed):
    err = (rec - mel).abs()
    if peak:
        top = mel.amax((1, 2), keepdim=True)
        err = err * (1 + peak * ((mel - PAD_VALUE) / (top - PAD_VALUE)).clamp(0, 1)) / (1 + peak / 2)
    loss = err.mean()
    if compressed: loss = loss + compressed * (10 ** (0.3 * rec) - 10 ** (0.3 * mel)).abs().mean()
    if level:
        gain = rec.mean(1, keepdim=True)
        moved = rec.detach() + gain - gain.detach() if gain_only else rec
        loss = loss + level * (frame_level(moved) - frame_level(mel)).abs().mean()
    return loss


def train(recipe, train_mels, steps, batch_size=32, lr=1e-3):
    channels, multipliers, peak, level, gain_only, compressed = recipe
    torch.manual_seed(0)
    vae = MelVAE(VAEConfig(channels=channels, multipliers=multipliers))
    def loss_fn(model, g, rows):
        x = train_mels[torch.randint(0, len(train_mels), (batch_size,), generator=g)]
        rec, kl = model(x, torch.randn(batch_size, 20, x.shape[-1] // 2, generator=g))
        return recipe_loss(x, rec, peak, level, gain_only, compressed) + 1e-6 * kl
    fit(vae, loss_fn, steps, batch_size, lr, progress=False)
    measure_scale_factor(vae.eval(), train_mels[:64])
    return vae


@torch.no_grad()
def round_trip(vae, mels, labels, vocoder) -> dict:
    "Agreement of mel -> VAE -> vocoder (under the level contract), the reconstruction's L1 and the mean error of each clip's loudest bin (log10 units)."
    rec = torch.cat([vae(mels[i: i + 50])[0] for i in range(0, len(mels), 50)])
    wavs = peak_guard(torch.cat([vocoder(rec[i: i + 50]) for i in range(0, len(rec), 50)]))  # the pipeline's level contract
    return {**attribute_agreement(list(wavs), labels), "l1": float((rec - mels).abs().mean()),
            "peak_error": float((rec.amax((1, 2)) - mels.amax((1, 2))).mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", choices=list(RECIPES), help="recipes to run (default: all)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    train_mels = mel_corpus("train", 20_000, batch_size=500)[0]
    test_mels, _, test_labels = mel_corpus("test", 300)
    vocoder = GriffinLimVocoder()
    print(f"| recipe | steps | train min | all | count | loudness | register | tonality | direction | contour | pace | L1 | loudest-bin error |")
    print("|---" * 13 + "|")
    for name in args.only or RECIPES:
        t0 = time.perf_counter()
        vae = train(RECIPES[name], train_mels, args.steps)
        minutes = (time.perf_counter() - t0) / 60
        r = round_trip(vae, test_mels, test_labels, vocoder)
        cells = [f"{r.get(k, float('nan')):.3f}" for k in ("all", "count", "loudness", "register", "tonality", "direction", "contour", "pace", "l1", "peak_error")]
        print(f"| {name} | {args.steps} | {minutes:.1f} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
