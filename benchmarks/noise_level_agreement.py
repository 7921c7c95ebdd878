"""Where along the noise levels the teacher loses the caption: DDIM (25-step spacing, guidance 5) started from each test
clip's own latent noised to t_start, scored by attribute agreement on the first n SynthCaps test clips (2.048 s).
A run starts at the first DDIM timestep at or below t_start (with 25 steps: 999, 799, 599, 399, 199 for the defaults).

    python benchmarks/noise_level_agreement.py                              # the shipped teacher, t_start 999 800 600 400 200
    python benchmarks/noise_level_agreement.py --teacher runs/a/teacher runs/b/teacher --t-start 999 600
    python benchmarks/noise_level_agreement.py --start other --t-start 999 800     # each prompt from ANOTHER clip's latent

t_start 999 keeps a trace of the clip (alpha_999 = 0.07 in the paper's schedule; none on a zero-terminal-SNR one), so it scores above sampling
from pure noise. What a start at t keeps, the steps below t did not have to make: the gap between two rows is what
the teacher loses between those two noise levels. `--start other` starts each prompt from the next clip's latent
instead (a wrong trace): what the teacher then gets right, it made from the caption; `--start none` from no trace.
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from audiolcm.audio import mel_spectrogram
from audiolcm.backbone import load_denoiser
from audiolcm.data import SynthCaps
from audiolcm.ddim import ddim_sample, ddim_timesteps, guided_eps
from audiolcm.schedule import NoiseSchedule
from audiolcm.sampler import AudioLCM
from audiolcm.synthcaps import attribute_agreement

CHECKS = ["all", "register", "count", "pace", "direction", "contour", "tonality", "loudness"]


@torch.no_grad()
def from_noise_level(pipe: AudioLCM, teacher, x0: torch.Tensor, prompts: list[str], t_start: int, guidance: float, steps: int,
                     batch_size: int = 50) -> torch.Tensor:
    "Latents (N, 20, T') from DDIM over the `steps`-step timesteps <= t_start, started from x0 (N, 20, T') noised to the first of them (seed 0)."
    first, schedule = ddim_timesteps(steps, t_start=t_start)[0], NoiseSchedule.for_denoiser(teacher.cfg)
    noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(0))
    out = []
    for i in range(0, len(x0), batch_size):
        chunk = prompts[i: i + batch_size]
        B = len(chunk)
        states, mask = pipe.text_encoder.encode(chunk + [""] * B)
        cond, uncond = (states[:B], mask[:B]), (states[B:], mask[B:])
        x_t = schedule.q_sample(x0[i: i + B], torch.full((B,), first), noise[i: i + B])
        out.append(ddim_sample(lambda x, t: guided_eps(teacher, x, t, cond, uncond, guidance), x_t, steps, schedule, t_start=t_start))
    return torch.cat(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=300)
    p.add_argument("--t-start", type=int, nargs="+", default=[999, 800, 600, 400, 200])
    p.add_argument("--teacher", nargs="+", default=None, help="denoiser folders to score (default: the shipped teacher)")
    p.add_argument("--guidance", type=float, default=5.0)
    p.add_argument("--steps", type=int, default=25)
    p.add_argument("--start", default="own", choices=["own", "other", "none"], help="whose latent is noised: the clip's own, the next clip's, or zeros")
    args = p.parse_args()
    pipe = AudioLCM.from_pretrained()
    teachers = {"shipped": pipe.teacher} if args.teacher is None else {path: load_denoiser(path)[0] for path in args.teacher}
    items = [SynthCaps("test")[i] for i in range(args.n)]
    prompts, labels = [it["caption"] for it in items], [it["labels"] for it in items]
    wav = torch.stack([torch.as_tensor(it["wav"]) for it in items])
    mel = mel_spectrogram(wav)
    x0 = torch.cat([pipe.vae.to_latent(mel[i: i + 50]) for i in range(0, args.n, 50)])
    start = {"own": x0, "other": x0.roll(1, 0), "none": torch.zeros_like(x0)}[args.start]
    print(f"{args.n} test clips, 2.048 s, DDIM {args.steps}-step spacing, guidance {args.guidance:g}, start from {args.start} latents, "
          f"{torch.get_num_threads()} threads, "
          f"torch {torch.__version__}")
    print(f"{'':36}" + "".join(f"{c:>10}" for c in CHECKS))
    t0 = time.perf_counter()
    r = attribute_agreement(pipe.to_audio(x0, mel.shape[-1], wav.shape[-1]), labels)
    print(f"{'the clips through the VAE':36}" + "".join(f"{r.get(c, np.nan):>10.3f}" for c in CHECKS), flush=True)
    for name, teacher in teachers.items():
        for t_start in args.t_start:
            z = from_noise_level(pipe, teacher, start, prompts, t_start, args.guidance, args.steps)
            r = attribute_agreement(pipe.to_audio(z, mel.shape[-1], wav.shape[-1]), labels)
            print(f"{name[-24:] + f', from t {ddim_timesteps(args.steps, t_start=t_start)[0]}':36}" + "".join(f"{r.get(c, np.nan):>10.3f}" for c in CHECKS), flush=True)
    print(f"({(time.perf_counter() - t0) / 60:.1f} min)")


if __name__ == "__main__":
    main()
