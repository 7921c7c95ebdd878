"""The course's exercises (nbs/course.md): one check per exercise, which a student calls on their own
function from a notebook in nbs/:

    import sys; sys.path.insert(0, "../tests")
    from test_course import check_mel_frames
    check_mel_frames(my_mel_frames)   # silent when right, an AssertionError with a hint when not

Each check compares against the library, on inputs chosen so that the usual mistakes fail. The tests
below keep the checks honest: every check accepts a correct solution and rejects a typical wrong
one, and the course page names every check and every chapter of the sidebar."""
import re
from pathlib import Path

import pytest
import torch
import yaml

from audiolcm.audio import HOP_LENGTH, mel_spectrogram
from audiolcm.backbone import RMSNorm, RotaryEmbedding, apply_rope
from audiolcm.ddim import cfg_eps, ddim_step
from audiolcm.consistency import boundary_scalings, lcm_timesteps
from audiolcm.distill import solver_timesteps
from audiolcm.schedule import NoiseSchedule

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "nbs" / "course.md"


def _close(a, b, tol=1e-6) -> bool:
    return torch.allclose(torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64), atol=tol, rtol=tol)


# --- 00_audio --------------------------------------------------------------------------------
def check_mel_frames(fn):
    "fn(n_samples) -> the number of frames `mel_spectrogram` keeps for a clip of n_samples."
    for n in (4096, 16000, 10_000, 32_768, 160_000):
        want = mel_spectrogram(torch.zeros(n)).shape[-1]
        assert fn(n) == want, f"{n} samples give {want} frames, not {fn(n)} (hop {HOP_LENGTH}; look at FRAME_MULTIPLE)"


# --- 04_schedule -----------------------------------------------------------------------------
def check_alpha_sigma(fn):
    "fn(t: int) -> (alpha_t, sigma_t) of the scaled-linear schedule, from beta_start 0.00085 and beta_end 0.012."
    sched = NoiseSchedule()
    for t in (0, 10, 250, 500, 999):
        a, s = fn(t)
        assert _close(a, sched.alpha(t)) and _close(s, sched.sigma(t)), f"t = {t}: got ({float(a):.6f}, {float(s):.6f}), " \
            f"want ({float(sched.alpha(t)):.6f}, {float(sched.sigma(t)):.6f}); betas are linear in sqrt(beta)"


def check_snr_crossing(fn):
    "fn() -> the first timestep at which the signal-to-noise ratio alpha^2 / sigma^2 is below 1."
    snr = NoiseSchedule().snr(torch.arange(1000))
    want = int((snr < 1).nonzero()[0])
    assert fn() == want, f"got {fn()}: SNR(t) = {float(snr[fn()]):.3f} there" if 0 <= fn() < 1000 else f"got {fn()}, outside 0..999"


# --- 05_ddim ---------------------------------------------------------------------------------
def check_ddim_step(fn):
    "fn(x_t, eps, t, s, schedule) -> x_s, the deterministic DDIM jump from t to s (s = -1: the clean sample)."
    g, sched = torch.Generator().manual_seed(0), NoiseSchedule()
    x, eps = torch.randn(2, 20, 8, generator=g), torch.randn(2, 20, 8, generator=g)
    for t, s in ((999, 499), (499, 19), (19, -1)):
        assert _close(fn(x, eps, t, s, sched), ddim_step(x, eps, t, s, sched), 1e-5), \
            f"{t} -> {s}: predict x0 from eps, then rebuild x_s = alpha_s x0 + sigma_s eps"


def check_guidance_convention(fn):
    "fn(w) -> the scale w' for cfg_eps (eps_u + w' (eps_c - eps_u)) that equals the release's eps_c + w (eps_c - eps_u)."
    g = torch.Generator().manual_seed(1)
    ec, eu = torch.randn(4, 5, generator=g), torch.randn(4, 5, generator=g)
    for w in (0.0, 4.0, 7.5, 12.0):
        assert _close(cfg_eps(ec, eu, fn(w)), ec + w * (ec - eu)), f"w = {w}: expand both forms and compare the eps_u terms"


# --- 08_backbone -----------------------------------------------------------------------------
def check_rms_norm(fn):
    "fn(x) -> x / sqrt(mean(x^2) + 1e-6) over the last axis (RMSNorm with its gain at 1)."
    x = torch.randn(3, 7, 16, generator=torch.Generator().manual_seed(2)) * 3 + 1
    assert _close(fn(x), RMSNorm(16)(x).detach(), 1e-5), "RMSNorm divides by the root mean square: no mean is subtracted"


def check_rope(fn):
    "fn(x (T, head_dim), positions (T,)) -> x rotated by RoPE (angles position * 10000^(-2i / head_dim), halves paired)."
    x, pos = torch.randn(6, 8, generator=torch.Generator().manual_seed(3)), torch.tensor([0, 1, 2, 5, 17, 100])
    cos, sin = RotaryEmbedding(8)(pos)
    assert _close(fn(x, pos), apply_rope(x[None, None], cos, sin)[0, 0], 1e-5), \
        "pair dimension i with i + head_dim / 2 (not 2i with 2i + 1) and rotate by position * inv_freq[i]"


# --- 13_distill ------------------------------------------------------------------------------
def check_boundary_scalings(fn):
    "fn(t) -> (c_skip, c_out) for integer timesteps t, so that f(z, 0) = z: sigma_data 0.5, t scaled by 10."
    t = torch.tensor([0, 1, 19, 499, 999])
    (a, b), (c, d) = fn(t), boundary_scalings(t)
    assert _close(a, c) and _close(b, d), "c_skip = s^2 / ((10 t)^2 + s^2), c_out = 10 t / sqrt((10 t)^2 + s^2), s = 0.5"


def check_solver_grid(fn):
    "fn(k) -> the timesteps t_n = k n - 1 of the distillation grid (n = 1 .. 1000 // k)."
    for k in (1, 5, 20, 50):
        assert [int(v) for v in fn(k)] == solver_timesteps(k).tolist(), f"k = {k}: the grid ends at 999 and starts at k - 1"


# --- 14_sampler ------------------------------------------------------------------------------
def check_inference_timesteps(fn):
    "fn(steps) -> the descending timesteps of `steps`-step consistency sampling (the grid of k = 20)."
    for steps in (1, 2, 4, 8):
        assert list(fn(steps)) == lcm_timesteps(steps), f"{steps} steps: pick evenly among the 50 grid timesteps, from 999 down"


# --- the checks, kept honest -----------------------------------------------------------------
_S = NoiseSchedule()


def _alpha_sigma(t):
    betas = torch.linspace(0.00085 ** 0.5, 0.012 ** 0.5, 1000, dtype=torch.float64) ** 2
    ab = torch.cumprod(1 - betas, 0)[t]
    return ab.sqrt(), (1 - ab).sqrt()


def _alpha_sigma_wrong(t):  # betas linear in beta, not in sqrt(beta)
    ab = torch.cumprod(1 - torch.linspace(0.00085, 0.012, 1000, dtype=torch.float64), 0)[t]
    return ab.sqrt(), (1 - ab).sqrt()


def _ddim(x, eps, t, s, sched):
    a_t, s_t = sched.alpha(t).item(), sched.sigma(t).item()
    a_s, s_s = sched.alpha(s).item(), sched.sigma(s).item()
    return a_s * (x - s_t * eps) / a_t + s_s * eps


def _rope(x, pos):
    half = x.shape[-1] // 2
    ang = pos[:, None].float() * 10000 ** (-torch.arange(half) / half)
    x1, x2 = x[:, :half], x[:, half:]
    return torch.cat([x1 * ang.cos() - x2 * ang.sin(), x2 * ang.cos() + x1 * ang.sin()], -1)


def _rope_wrong(x, pos):  # interleaved pairs (2i, 2i + 1)
    half = x.shape[-1] // 2
    ang = pos[:, None].float() * 10000 ** (-torch.arange(half) / half)
    x1, x2 = x[:, 0::2], x[:, 1::2]
    return torch.stack([x1 * ang.cos() - x2 * ang.sin(), x2 * ang.cos() + x1 * ang.sin()], -1).flatten(1)


def _scalings(t, sd=0.5):
    u = t.double() * 10
    return sd ** 2 / (u ** 2 + sd ** 2), u / (u ** 2 + sd ** 2).sqrt()


EXERCISES = {  # check: (a correct solution, a typical mistake)
    check_mel_frames: (lambda n: n // 256 // 2 * 2, lambda n: n // 256),
    check_alpha_sigma: (_alpha_sigma, _alpha_sigma_wrong),
    check_snr_crossing: (lambda: int((_S.snr(torch.arange(1000)) < 1).nonzero()[0]), lambda: 500),
    check_ddim_step: (_ddim, lambda x, eps, t, s, sched: sched.alpha(s).item() * (x - sched.sigma(t).item() * eps) / sched.alpha(t).item()),
    check_guidance_convention: (lambda w: 1 + w, lambda w: w),
    check_rms_norm: (lambda x: x / (x.pow(2).mean(-1, keepdim=True) + 1e-6).sqrt(),
                     lambda x: (x - x.mean(-1, keepdim=True)) / (x.var(-1, keepdim=True, unbiased=False) + 1e-6).sqrt()),
    check_rope: (_rope, _rope_wrong),
    check_boundary_scalings: (_scalings, lambda t: _scalings(t, sd=1.0)),
    check_solver_grid: (lambda k: [k * n - 1 for n in range(1, 1000 // k + 1)], lambda k: list(range(0, 1000, k))),
    check_inference_timesteps: (lambda s: [20 * (50 - i * 50 // s) - 1 for i in range(s)],
                                lambda s: [int(v) for v in torch.linspace(999, 0, s + 1)[:-1]]),
}


@pytest.mark.parametrize("check", EXERCISES, ids=lambda c: c.__name__)
def test_check_accepts_a_solution_and_rejects_a_mistake(check):
    good, wrong = EXERCISES[check]
    check(good)
    with pytest.raises(AssertionError): check(wrong)


def test_course_page_names_every_check_and_chapter():
    text = COURSE.read_text()
    missing = [c.__name__ for c in EXERCISES if c.__name__ not in text]
    assert not missing, f"nbs/course.md does not give these checks: {missing}"
    sidebar = yaml.safe_load((ROOT / "nbs" / "sidebar.yml").read_text())["website"]["sidebar"]["contents"]
    chapters = [Path(e).stem for e in sidebar if re.match(r"\d\d_", e)]
    missing = [c for c in chapters if f"`{c}`" not in text]
    assert not missing, f"nbs/course.md does not place these chapters: {missing}"
    assert "course.md" in sidebar, "the course page is in the sidebar"
