"""Where the mel VAE's reconstruction loses the attributes: short runs of recipes side by side, each measured by the round trip
mel -> VAE -> Griffin-Lim with `attribute_agreement` on the first 300 SynthCaps test clips.

    python benchmarks/vae_recipes.py                  # every recipe below, 1500 steps each (about 5 min a recipe on 2 cores)
    python benchmarks/vae_recipes.py --only small-peak4 --steps 3000
    python benchmarks/vae_recipes.py --only shipped decoder-peak4-level1-noise0.3 --steps 2000 --generated   # + the generators' audio

Recipes differ in width (`channels x multipliers`) and loss. The losses tried, on log10-mel L1:
- `peak`: the loss of `11_vae` (a bin's weight grows with its height above silence);
- `level`: + |frame level of the reconstruction - of the target|, the level being log10 of the frame's summed power;
- `gain-level`: the same, but its gradient moves only a frame's mean (a gain), never the spectral shape;
- `compressed`: + |magnitude^0.3 - target magnitude^0.3| (a loss in the linear domain, compressed);
- `kl`: the weight of the KL term (11_vae's 1e-6 unless named);
- `smooth`: + the weight times `latent_roughness` of the posterior means (a penalty on latents that change from frame to frame).
The `decoder-*` rows keep the shipped VAE's encoder, hence its latent space and every model trained on it, and fine-tune only
its decoder further from the shipped weights (learning rate 3e-4): what a better decoder alone can buy. `noise` decodes the
posterior means plus Gaussian noise of that many latent standard deviations, so that the decoder learns to map latents near
the encoder's (as a generator's are) to clean mels. The shipped decoder is itself so trained (`11_vae`, stage 2 of its
recipe: `latent_noise=0.3`, 4000 steps); the rows of `11_vae` that start from its first stage were run at commit 5945d2d.
With `--generated`, each row whose latent space is the shipped one (`shipped`, `decoder-*`) also decodes what the shipped
student (2 steps) and teacher (DDIM, `--teacher-steps`) make for the same test prompts at guidance 5, one run per `--seeds`
seed, sampled once and decoded by every such VAE: their agreement (the mean over the seeds) and FAD (SynthCaps classifier,
the first seed, against the same test clips).
The roughness column is `latent_roughness` of the test clips' latents: 0 for latents constant in time, 1 for frames
as unrelated as white noise; the shipped VAE's own row (`--only shipped`) measures the model in the package.
Every run draws from the same 20 000 rendered training clips, batch 32, AdamW at 1e-3 with warm-up and cosine (`10_training`).
"""
from __future__ import annotations

import argparse
import math
import time
import warnings

import torch
import torch.nn.functional as F

from audiolcm.audio import PAD_VALUE
from audiolcm.data import SynthCaps
from audiolcm.metrics import SynthCapsClassifier, fad, mel_corpus
from audiolcm.sampler import AudioLCM, OutOfDomainWarning
from audiolcm.synthcaps import attribute_agreement
from audiolcm.training import fit
from audiolcm.vae import MelVAE, VAEConfig, latent_roughness, measure_scale_factor
from audiolcm.vocoder import GriffinLimVocoder, peak_guard

RECIPES = {  # name: (channels, multipliers, peak weight, level weight, gain-only level, compressed-magnitude weight, KL weight, smoothness weight)
    "tiny-l1": (64, (1, 2), 0, 0, False, 0, 1e-6, 0),
    "tiny-peak4": (64, (1, 2), 4, 0, False, 0, 1e-6, 0),
    "tiny-peak4-level1": (64, (1, 2), 4, 1, False, 0, 1e-6, 0),
    "tiny-peak4-level0.25": (64, (1, 2), 4, 0.25, False, 0, 1e-6, 0),
    "tiny-compressed4": (64, (1, 2), 0, 0, False, 4, 1e-6, 0),
    "small-peak4": (128, (1, 1), 4, 0, False, 0, 1e-6, 0),
    "small-peak16": (128, (1, 1), 16, 0, False, 0, 1e-6, 0),
    "small-peak4-level0.1": (128, (1, 1), 4, 0.1, False, 0, 1e-6, 0),
    "small-peak4-gainlevel0.25": (128, (1, 1), 4, 0.25, True, 0, 1e-6, 0),
    "small-peak4-kl1e-4": (128, (1, 1), 4, 0, False, 0, 1e-4, 0),
    "small-peak4-kl1e-3": (128, (1, 1), 4, 0, False, 0, 1e-3, 0),
    "small-peak4-kl1e-2": (128, (1, 1), 4, 0, False, 0, 1e-2, 0),
    "small-peak4-smooth0.1": (128, (1, 1), 4, 0, False, 0, 1e-6, 0.1),
    "small-peak4-smooth1": (128, (1, 1), 4, 0, False, 0, 1e-6, 1),
}
DECODER_RECIPES = {  # name: (peak weight, level weight, latent noise in latent stds), fine-tuning the shipped decoder on the shipped encoder's latents
    "decoder-peak4": (4, 0, 0),
    "decoder-peak4-level1": (4, 1, 0),
    "decoder-peak4-level1-noise0.1": (4, 1, 0.1),
    "decoder-peak4-level1-noise0.3": (4, 1, 0.3),
    "decoder-peak4-noise0.3": (4, 0, 0.3),
    "decoder-peak4-level1-noise0.6": (4, 1, 0.6),
}
GENERATED_CHECKS = ["all", "count", "loudness"]


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
    channels, multipliers, peak, level, gain_only, compressed, kl_weight, smooth = recipe
    torch.manual_seed(0)
    vae = MelVAE(VAEConfig(channels=channels, multipliers=multipliers, kl_weight=kl_weight))
    def loss_fn(model, g, rows):
        x = train_mels[torch.randint(0, len(train_mels), (batch_size,), generator=g)]
        rec, kl = model(x, torch.randn(batch_size, 20, x.shape[-1] // 2, generator=g))
        loss = recipe_loss(x, rec, peak, level, gain_only, compressed) + kl_weight * kl
        return loss + smooth * latent_roughness(model.encode(x)[0]) if smooth else loss
    fit(vae, loss_fn, steps, batch_size, lr, progress=False)
    measure_scale_factor(vae.eval(), train_mels[:64])
    return vae


def finetune_decoder(recipe, train_mels, steps, batch_size=32, lr=3e-4):
    "The shipped VAE with its encoder frozen and its decoder trained on the posterior means of train_mels (plus noise, if the recipe has it)."
    peak, level, noise = recipe
    torch.manual_seed(0)
    vae = MelVAE.load()
    vae.encoder.requires_grad_(False)
    with torch.no_grad(): means = torch.cat([vae.encode(train_mels[i: i + 500])[0] for i in range(0, len(train_mels), 500)])
    std = 1 / float(vae.scale_factor)  # the posterior means' standard deviation
    def loss_fn(model, g, rows):
        idx = torch.randint(0, len(train_mels), (batch_size,), generator=g)
        z = means[idx] + noise * std * torch.randn(means[idx].shape, generator=g) if noise else means[idx]
        return recipe_loss(train_mels[idx], model.decode(z), peak, level, False, 0)
    fit(vae, loss_fn, steps, batch_size, lr, progress=False)
    return vae.eval()


@torch.no_grad()
def round_trip(vae, mels, labels, vocoder) -> dict:
    "Agreement of mel -> VAE -> vocoder (under the level contract), the reconstruction's L1 and the mean error of each clip's loudest bin (log10 units)."
    means = torch.cat([vae.encode(mels[i: i + 50])[0] for i in range(0, len(mels), 50)])  # encoded once: decoded, and measured
    rec = torch.cat([vae.decode(means[i: i + 50])[..., : mels.shape[-1]] for i in range(0, len(means), 50)])
    wavs = peak_guard(torch.cat([vocoder(rec[i: i + 50]) for i in range(0, len(rec), 50)]))  # the pipeline's level contract
    return {**attribute_agreement(list(wavs), labels), "l1": float((rec - mels).abs().mean()),
            "peak_error": float((rec.amax((1, 2)) - mels.amax((1, 2))).mean()),
            "roughness": float(latent_roughness(means))}  # roughness ignores the scale factor


def generated_latents(prompts: list[str], seeds: list[int], teacher_steps: int) -> dict:
    "{(model, seed): scaled latents (len(prompts), 20, T')} of the shipped student (2 steps) and teacher (DDIM) at guidance 5."
    warnings.simplefilter("ignore", OutOfDomainWarning)
    pipe = AudioLCM.from_pretrained()
    out = {}
    for s in seeds:
        out["student", s] = pipe.sample(prompts, steps=2, guidance=5, seed=s, batch_size=50, output="latents")
        out["teacher", s] = pipe.sample_teacher(prompts, steps=teacher_steps, guidance=5, seed=s, batch_size=50, output="latents")
    return out


@torch.no_grad()
def decoded_scores(vae, latents: dict, frames: int, labels, vocoder, classifier, reference) -> dict:
    "{model: [agreement of each GENERATED_CHECKS (mean over the seeds)..., FAD of the first seed]} of the latents decoded by `vae` to `frames` mel frames."
    scores = {}
    for model in ("student", "teacher"):
        seeds = [s for m, s in latents if m == model]
        rows, fid = [], None
        for s in seeds:
            z = latents[model, s]
            mels = torch.cat([vae.from_latent(z[i: i + 50], frames) for i in range(0, len(z), 50)])
            wavs = peak_guard(torch.cat([vocoder(mels[i: i + 50]) for i in range(0, len(mels), 50)]))  # the pipeline's level contract
            r = attribute_agreement(list(wavs), labels)
            rows.append([r.get(c, float("nan")) for c in GENERATED_CHECKS])
            if fid is None: fid = fad(classifier.embed(wavs.numpy()).numpy(), reference)
        scores[model] = [sum(col) / len(col) for col in zip(*rows)] + [fid]
    return scores


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--only", nargs="*", choices=["shipped", *RECIPES, *DECODER_RECIPES], help="recipes to run (default: all; shipped: the package's VAE, not trained)")
    ap.add_argument("--steps", type=int, default=1500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--n", type=int, default=300, help="test clips to measure on")
    ap.add_argument("--clips", type=int, default=20_000, help="training clips the recipes draw from")
    ap.add_argument("--generated", action="store_true", help="also decode the shipped student's and teacher's latents (rows in the shipped latent space)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3], help="noise seeds of the generators' samples (--generated)")
    ap.add_argument("--teacher-steps", type=int, default=25, help="DDIM steps of the teacher's samples (--generated)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    names = args.only or list(RECIPES)
    train_mels = mel_corpus("train", args.clips, batch_size=500)[0] if set(names) - {"shipped"} else None
    test_mels, test_captions, test_labels = mel_corpus("test", args.n)
    vocoder = GriffinLimVocoder()
    if args.generated:
        latents = generated_latents(test_captions, args.seeds, args.teacher_steps)
        classifier = SynthCapsClassifier.load()
        reference = classifier.embed(torch.stack([SynthCaps("test")[i]["wav"] for i in range(args.n)]).numpy()).numpy()
        generated = {}
    print(f"mel itself, frames paired as the latents are: roughness {float(latent_roughness(F.avg_pool1d(test_mels, 2))):.3f}")
    print(f"| recipe | steps | train min | all | count | loudness | register | tonality | direction | contour | pace | L1 | loudest-bin error | roughness |")
    print("|---" * 14 + "|")
    for name in names:
        t0 = time.perf_counter()
        if name == "shipped": vae = MelVAE.load().eval()
        elif name in DECODER_RECIPES: vae = finetune_decoder(DECODER_RECIPES[name], train_mels, args.steps)
        else: vae = train(RECIPES[name], train_mels, args.steps)
        minutes = (time.perf_counter() - t0) / 60
        r = round_trip(vae, test_mels, test_labels, vocoder)
        cells = [f"{r.get(k, float('nan')):.3f}" for k in ("all", "count", "loudness", "register", "tonality", "direction", "contour", "pace", "l1", "peak_error", "roughness")]
        print(f"| {name} | {'-' if name == 'shipped' else args.steps} | {minutes:.1f} | " + " | ".join(cells) + " |", flush=True)
        if args.generated and (name == "shipped" or name in DECODER_RECIPES):
            generated[name] = decoded_scores(vae, latents, test_mels.shape[-1], test_labels, vocoder, classifier, reference)
    if args.generated:
        print(f"\nThe shipped generators' latents through each decoder: guidance 5, agreement the mean over seeds {args.seeds}, FAD seed {args.seeds[0]}")
        print("| decoder | " + " | ".join(f"{m} {c}" for m in ("student 2 steps", f"teacher DDIM {args.teacher_steps}") for c in GENERATED_CHECKS + ["FAD"]) + " |")
        print("|---" * (2 * len(GENERATED_CHECKS) + 3) + "|")
        for name, scores in generated.items():
            print(f"| {name} | " + " | ".join(f"{x:.3f}" if i < len(GENERATED_CHECKS) else f"{x:.1f}" for m in ("student", "teacher") for i, x in enumerate(scores[m])) + " |")


if __name__ == "__main__":
    main()
