"""The public sampling API, as users call it, with the shipped models."""
import numpy as np
import pytest
import torch

from audiolcm.audio import mel_spectrogram
from audiolcm.consistency import lcm_timesteps
from audiolcm.sampler import AudioLCM, sample, sample_teacher


def mel_distance(x, y):
    "Mean |log-mel difference| per clip: how different two clips sound (Griffin-Lim phases may differ)."
    return (mel_spectrogram(torch.from_numpy(x)) - mel_spectrogram(torch.from_numpy(y))).abs().mean(dim=(1, 2))


def test_variations_are_prompt_major_and_seeded_by_position():
    many = sample(["three loud knocks", "rain falling"], n_per_prompt=2, seed=7, seconds=1.0)
    assert many.shape == (4, 16000) and many.dtype == np.float32
    alone = sample(["rain falling"], n_per_prompt=2, seed=9, seconds=1.0)  # positions 2 and 3 of the first call
    assert torch.all(mel_distance(many[2:], alone) < 0.1)
    assert mel_distance(many[:1], many[1:2]).item() > 0.1  # variations differ


def test_teacher_baseline_is_reproducible_and_accepts_a_negative_prompt():
    a = sample_teacher("a high-pitched beep", steps=5, seed=0, seconds=1.0)
    b = sample_teacher("a high-pitched beep", steps=5, seed=0, seconds=1.0)
    c = sample_teacher("a high-pitched beep", steps=5, seed=0, seconds=1.0, negative_prompt="rain falling")
    assert np.array_equal(a, b) and not np.allclose(a, c)


def test_audio_is_finite_and_in_range_for_every_step_count():
    for steps in (1, 2, 4, 8):
        audio = sample("a siren wailing over rain", steps=steps, seed=0)
        assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0


def test_timesteps_beyond_the_grid_are_refused():
    with pytest.raises(ValueError, match="steps must be in 1..50"):
        lcm_timesteps(51)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on machines without CUDA")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="CUDA is not available"):
        AudioLCM.from_pretrained().to("cuda")


def test_the_solver_skip_travels_with_the_student(tmp_path):
    pipe = AudioLCM.from_pretrained(teacher=False)
    assert pipe.k == 20  # read from the shipped student's distillation config
    pipe.k = 50
    again = AudioLCM.from_pretrained(pipe.save_pretrained(tmp_path / "pipe"), teacher=False)
    assert again.k == 50
    with pytest.raises(ValueError, match="steps must be in 1..20"):
        again.sample("rain", steps=21)  # the 20-point grid of k = 50


def test_sample_and_sample_teacher_share_arguments_and_outputs():
    pipe = AudioLCM.from_pretrained()
    z = pipe.sample(["rain", "a dog barks"], n_per_prompt=2, seed=3, seconds=1.0, output="latents")
    t = pipe.sample_teacher(["rain", "a dog barks"], steps=3, n_per_prompt=2, seed=3, seconds=1.0, output="latents")
    assert z.shape == t.shape == (4, 20, 31)  # 1 s: 62 mel frames, 31 latent frames
    one = pipe.sample_teacher(["a dog barks"], steps=3, n_per_prompt=2, seed=5, seconds=1.0, batch_size=1, output="latents")
    assert torch.allclose(t[2:], one, atol=1e-4)  # item i of seed s is item 0 of seed s + i, whatever the batch
    for bad, message in [(dict(steps=np.int64(0)), "steps must be an integer >= 1"), (dict(batch_size=0), "batch_size must be"),
                         (dict(n_per_prompt=2.5), "n_per_prompt must be"), (dict(output="wav"), "output must be")]:
        with pytest.raises(ValueError, match=message): pipe.sample("rain", **bad)
        with pytest.raises(ValueError, match=message): pipe.sample_teacher("rain", **bad)
    assert pipe.sample("rain", steps=np.int64(2), seconds=0.5).shape == (1, 8000)
