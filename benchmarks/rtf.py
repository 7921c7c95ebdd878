"""Real-time factor of every stage of text-to-audio, teacher against student, measured side by side in one run.

    python benchmarks/rtf.py                                   # tiny shipped models, CPU, batch 1 and 16
    python benchmarks/rtf.py --scale paper --teacher-steps 10  # paper-scale sizes, random weights
    python benchmarks/rtf.py --device cuda --scale tiny paper --batch 1 16 --compile

RTF = wall time / seconds of audio produced (lower is faster; 0.01 = 100x faster than real time), best of
`--repeats` runs after a warm-up. Stages: text encoder (the batch's captions, cache cleared each run; the
teacher also encodes the empty caption), denoiser (all sampling steps), VAE decoder, vocoder (the pipeline's:
Griffin-Lim for the tiny models, BigVGAN's 112M generator at paper scale), and alternatives beside it (the
shipped neural ISTFTVocoder; at paper scale Griffin-Lim and an ISTFTVocoder of Vocos's width); "end to end"
is the public `AudioLCM.sample` / `sample_teacher` call, text encoding included.
The markdown table goes to `--out` (default nbs/rtf_<device>.md, a page of the docs).
"""
from __future__ import annotations

import argparse
import platform
import resource
import time
from pathlib import Path

import torch
from transformers import T5Config, T5EncoderModel

from audiolcm.audio import SAMPLE_RATE, latent_frames, n_frames
from audiolcm.backbone import AudioTransformer, BackboneConfig, count_parameters
from audiolcm.checkpoint import check_device
from audiolcm.consistency import ConsistencyModel, consistency_sample
from audiolcm.ddim import ddim_sample, guided_eps
from audiolcm.distill import student_from_teacher
from audiolcm.metrics import rtf
from audiolcm.sampler import PRECISIONS, AudioLCM
from audiolcm.schedule import NoiseSchedule
from audiolcm.text import TextEncoder, load_text_encoder
from audiolcm.vae import MelVAE, VAEConfig
from audiolcm.vocoder import BigVGAN, BigVGANConfig, GriffinLimVocoder, ISTFTVocoder, ISTFTVocoderConfig

PROMPTS = ["a siren wailing over rain", "three loud knocks", "a slow organ melody, rising in pitch", "rapid clicks, then a beep"]


def paper_pipeline() -> AudioLCM:
    "Paper-scale sizes with random weights (timing only): T5-large-sized encoder, 184M DiT, 238M VAE, 112M BigVGAN."
    minilm = load_text_encoder("minilm")  # its tokenizer stands in for T5's, which cannot be downloaded here
    t5 = T5EncoderModel(T5Config(vocab_size=32128, d_model=1024, d_kv=64, d_ff=2816, num_layers=24, num_heads=16,
                                 feed_forward_proj="gated-gelu"))
    teacher = AudioTransformer(BackboneConfig.paper())
    return AudioLCM(student_from_teacher(teacher), MelVAE(VAEConfig.paper()), TextEncoder(t5, minilm.tokenizer, "t5-large-random"),
                    BigVGAN(BigVGANConfig()), teacher, seconds=10.0, max_seconds=10.0)


def alternative_vocoders(pipe: AudioLCM, device: torch.device) -> dict:
    "Vocoders timed beside the pipeline's own: the shipped ISTFTVocoder beside Griffin-Lim, Griffin-Lim and an ISTFTVocoder of Vocos's size beside BigVGAN."
    if isinstance(pipe.vocoder, GriffinLimVocoder): alt = {"vocoder: the shipped ISTFTVocoder": ISTFTVocoder.load()}
    else: alt = {"vocoder: Griffin-Lim": GriffinLimVocoder()}
    if isinstance(pipe.vocoder, BigVGAN): alt["vocoder: an ISTFTVocoder of width 512, 8 blocks"] = ISTFTVocoder(ISTFTVocoderConfig(width=512, depth=8, expansion=3))
    return {k: v.to(device).eval() for k, v in alt.items()}


def cpu_name() -> str:
    "The CPU model from /proc/cpuinfo where there is one."
    info = Path("/proc/cpuinfo")
    models = [l.split(":", 1)[1].strip() for l in info.read_text().splitlines() if l.startswith("model name")] if info.exists() else []
    return models[0] if models else platform.processor() or platform.machine()


def peak_memory_mb(device: torch.device) -> float:
    "Peak CUDA memory allocated since the last reset, or the process's peak resident memory on CPU."
    if device.type == "cuda": return torch.cuda.max_memory_allocated(device) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def measure(pipe: AudioLCM, batch: int, seconds: float, teacher_steps: int, student_steps: list[int], device: torch.device,
            repeats: int, precision: str = "bf16") -> list[dict]:
    "One row per (sampler, stage): RTF and peak memory."
    prompts = [f"{PROMPTS[i % len(PROMPTS)]} (take {i})" for i in range(batch)]  # distinct: the encoder caches repeated captions
    audio_s, frames = batch * seconds, n_frames(seconds)
    enc = pipe.text_encoder
    def text():
        enc._cache.clear()
        return enc.encode(prompts)
    states, mask = (x.to(device) for x in text())
    both, both_mask = (x.to(device) for x in enc.encode(prompts + [""] * batch))
    cond, uncond = (both[:batch], both_mask[:batch]), (both[batch:], both_mask[batch:])
    noise = torch.randn(batch, pipe.student.cfg.latent_channels, latent_frames(frames), device=device)
    f, w = ConsistencyModel(pipe.student, pipe.schedule), torch.full((batch,), 4.0, device=device)
    def autocast(): return pipe.autocast(precision)  # as the pipeline samples
    def student_denoiser(steps):
        with autocast(): return consistency_sample(lambda x, t: f(x, t, states, mask, w), noise, steps, pipe.schedule, pipe.k)
    def teacher_denoiser():
        with autocast(): return ddim_sample(lambda x, t: guided_eps(pipe.teacher, x, t, cond, uncond, 5.0).float(), noise, teacher_steps,
                                          NoiseSchedule.for_denoiser(pipe.teacher.cfg))
    z = student_denoiser(2)
    mel = pipe.vae.from_latent(z, frames)
    def row(sampler, stage, fn):
        if device.type == "cuda": torch.cuda.reset_peak_memory_stats(device)
        with torch.no_grad(): value = rtf(fn, audio_s, warmup=1, repeats=repeats, device=device)
        return {"sampler": sampler, "stage": stage, "RTF": value, "peak MB": peak_memory_mb(device)}
    rows = [row("shared", "text encoder", text), row("shared", "VAE decoder", lambda: pipe.vae.from_latent(z, frames)),
            row("shared", "vocoder", lambda: pipe.vocoder(mel))]
    for name, voc in alternative_vocoders(pipe, device).items(): rows.append(row("alternative", name, lambda voc=voc: voc(mel)))
    teacher = f"teacher DDIM {teacher_steps} + CFG"
    rows += [row(teacher, "denoiser", teacher_denoiser),
             row(teacher, "end to end", lambda: (enc._cache.clear(), pipe.sample_teacher(prompts, teacher_steps, 5.0, seconds, 0, batch_size=batch, precision=precision)))]
    for s in student_steps:
        name = f"student {s} step{'s' if s > 1 else ''}"
        rows += [row(name, "denoiser", lambda s=s: student_denoiser(s)),
                 row(name, "end to end", lambda s=s: (enc._cache.clear(), pipe.sample(prompts, s, 5.0, seconds, 0, batch_size=batch, precision=precision)))]
    return rows


def to_markdown(results: list[dict], header: str) -> str:
    "Tables per (scale, batch), then the teacher/student ratios of the same run."
    lines = [header, ""]
    for (scale, batch, seconds), rows in results:
        lines += [f"### {scale} models, batch {batch}, {seconds:g} s clips", "", "| sampler | stage | RTF | peak MB |", "|---|---|---|---|"]
        lines += [f"| {r['sampler']} | {r['stage']} | {r['RTF']:.4g} | {r['peak MB']:.0f} |" for r in rows]
        teacher = {r["stage"]: r["RTF"] for r in rows if r["sampler"].startswith("teacher")}
        lines += ["", "| teacher / student | denoiser | end to end |", "|---|---|---|"]
        for name in dict.fromkeys(r["sampler"] for r in rows if r["sampler"].startswith("student")):
            student = {r["stage"]: r["RTF"] for r in rows if r["sampler"] == name}
            lines.append(f"| {name} | {teacher['denoiser'] / student['denoiser']:.1f}x | {teacher['end to end'] / student['end to end']:.1f}x |")
        vocoder = next(r["RTF"] for r in rows if r["stage"] == "vocoder")
        student2 = next((r["RTF"] for r in rows if r["sampler"] == "student 2 steps" and r["stage"] == "end to end"), None)
        for alt in (r for r in rows if r["sampler"] == "alternative" and student2 is not None):
            estimate = student2 - vocoder + alt["RTF"]
            lines.append(f"\nWith {alt['stage'][len('vocoder: '):]} as its vocoder, the 2-step student's end to end would be RTF "
                         f"{estimate:.4g}, {teacher['end to end'] / estimate:.1f}x faster than the teacher's (its end to end - vocoder + that vocoder, all of this run).")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scale", nargs="+", default=["tiny"], choices=["tiny", "paper"])
    p.add_argument("--device", default="cpu")
    p.add_argument("--batch", nargs="+", type=int, default=[1, 16])
    p.add_argument("--seconds", type=float, default=None, help="clip length (default: 2.048 s tiny, 10 s paper)")
    p.add_argument("--teacher-steps", type=int, default=100)
    p.add_argument("--student-steps", nargs="+", type=int, default=[1, 2, 4])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--compile", action="store_true", help="torch.compile the denoisers (CUDA)")
    p.add_argument("--precision", default="bf16", choices=PRECISIONS, help="the denoisers' numerics on CUDA (the CPU is always float32)")
    p.add_argument("--out", default=None)
    p.add_argument("--append", action="store_true", help="add the tables to an existing --out page (e.g. a second run at another scale)")
    a = p.parse_args(argv)
    try: device = check_device(a.device)
    except ValueError as e: p.error(str(e))
    if device.type == "cuda":
        if device.index is None: device = torch.device("cuda", torch.cuda.current_device())  # 'cuda' means the current GPU
        torch.cuda.set_device(device)  # rtf() synchronises the current device
        torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(0)
    results = []
    for scale in a.scale:
        pipe = (AudioLCM.from_pretrained() if scale == "tiny" else paper_pipeline()).to(device)
        for m in (pipe.student, pipe.teacher, pipe.vae, pipe.vocoder): m.eval()
        if a.compile: pipe.student, pipe.teacher = torch.compile(pipe.student), torch.compile(pipe.teacher)
        seconds = a.seconds or pipe.seconds
        print(f"{scale}: denoiser {count_parameters(pipe.teacher) / 1e6:.1f}M, VAE {count_parameters(pipe.vae) / 1e6:.1f}M, "
              f"vocoder {sum(x.numel() for x in pipe.vocoder.parameters()) / 1e6:.1f}M, text {sum(x.numel() for x in pipe.text_encoder.parameters()) / 1e6:.1f}M")
        for batch in a.batch:
            t0 = time.perf_counter()
            results.append(((scale, batch, seconds), measure(pipe, batch, seconds, a.teacher_steps, a.student_steps, device, a.repeats, a.precision)))
            print(f"  batch {batch}: measured in {time.perf_counter() - t0:.0f} s")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"{cpu_name()}, {torch.get_num_threads()} thread{'s' if torch.get_num_threads() > 1 else ''}"
    run = f"`python benchmarks/rtf.py {' '.join(argv) if argv else ''}`, torch {torch.__version__}, on {name}, {time.strftime('%Y-%m-%d')}"
    out = Path(a.out or Path(__file__).resolve().parent.parent / "nbs" / f"rtf_{device.type}.md")
    if a.append and out.is_file(): header = f"{out.read_text().rstrip()}\n\nThen measured with {run}.\n"
    else:
        header = (f"---\ntitle: \"Benchmark: real-time factor on {device.type.upper()}\"\n---\n\n"
                  f"Measured with {run}. Sampling rate {SAMPLE_RATE} Hz; guidance 5. Paper-scale rows use random weights "
                  "(timing only). Peak memory: CUDA memory allocated, or the process's peak resident memory on CPU.\n")
    text = to_markdown(results, header)
    print(text)
    out.write_text(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
