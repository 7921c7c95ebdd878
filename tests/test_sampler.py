"""The public sampling API, as users call it, with the shipped models."""
import json
import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch

from audiolcm.audio import mel_spectrogram
from audiolcm.backbone import AudioTransformer
from audiolcm.consistency import lcm_timesteps
from audiolcm.sampler import AudioLCM, OutOfDomainWarning, sample, sample_teacher
from audiolcm.schedule import NoiseSchedule
from audiolcm.synthcaps import synth_clip
from audiolcm.vocoder import PEAK_CEILING_DB, peak_guard

CEILING = 10 ** (PEAK_CEILING_DB / 20)  # the level contract's ceiling as an amplitude
MAKE_RUN = ["a siren wailing over rain", "three loud knocks", "a slow organ melody, rising in pitch", "rapid clicks, followed by a high-pitched beep"]


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


def test_audio_is_finite_and_under_the_ceiling_for_every_step_count():
    for steps in (1, 2, 4, 8):
        audio = sample("a siren wailing over rain", steps=steps, seed=0)
        assert np.isfinite(audio).all() and np.abs(audio).max() <= CEILING + 1e-6  # to float precision


class _SineVocoder(torch.nn.Module):
    "A stand-in vocoder: whatever the mel, item 0 is a 440 Hz sine peaking at 4 (+12 dBFS), item 1 the same sine at 0.05 (-26 dBFS)."
    def forward(self, mel):
        sine = torch.sin(2 * math.pi * 440 * torch.arange(mel.shape[-1] * 256) / 16000)
        return torch.stack([4 * sine, 0.05 * sine])


def test_the_level_contract_scales_loud_clips_whole_and_leaves_quiet_ones():
    pipe = AudioLCM.from_pretrained(teacher=False)
    assert np.abs(pipe.sample(MAKE_RUN, seed=0)).max() <= CEILING + 1e-6  # "three loud knocks" peaks above full scale before the guard
    pipe.vocoder = _SineVocoder()  # the pipeline applies the contract to any vocoder's output
    raw = pipe.vocoder(torch.zeros(1, 80, 128)).numpy()
    loud, quiet = pipe.to_audio(torch.zeros(2, 20, 64), 128, 128 * 256)
    assert abs(np.abs(loud).max() - CEILING) < 1e-6
    np.testing.assert_allclose(loud, raw[0] * (CEILING / np.abs(raw[0]).max()), atol=1e-6)  # a scaled copy: the waveform is kept
    np.testing.assert_array_equal(quiet, raw[1])  # under the ceiling: untouched, so "quiet" stays quiet
    pipe.peak_ceiling_db = -12.0  # the ceiling is the pipeline's setting
    assert np.abs(pipe.to_audio(torch.zeros(2, 20, 64), 128, 128 * 256)).max() <= 10 ** (-12 / 20) + 1e-6
    with pytest.raises(ValueError, match="NaN or infinite"): peak_guard(torch.tensor([[0.1, float("inf")]]))
    with pytest.raises(ValueError, match="<= 0 dBFS"): peak_guard(torch.zeros(1, 4), ceiling_db=1.0)


def test_prompts_far_from_the_training_captions_warn_once_per_call():
    pipe = AudioLCM.from_pretrained()
    with pytest.warns(OutOfDomainWarning) as caught:
        pipe.sample(["a dog barks", "three loud knocks", "a man speaking", "a dog barks"], seconds=0.5, output="latents")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("'a dog barks', 'a man speaking' are far from the captions this model was trained on (SynthCaps: beep, siren,")
    assert message.endswith("drums): expect silence or unrelated sound")
    with pytest.warns(OutOfDomainWarning, match="'applause' is far"):
        pipe.sample_teacher("applause", steps=2, seconds=0.5, output="latents")
    assert pipe.domain.message([f"p{i}" for i in range(7)]).startswith("'p0', 'p1', 'p2', 'p3', 'p4' and 2 more are far")


def test_no_warning_for_the_make_run_prompts_nor_synthcaps_test_captions():
    pipe = AudioLCM.from_pretrained()
    captions = [synth_clip(0, "test", i)["caption"] for i in range(300)]
    assert pipe.prompt_distances(MAKE_RUN + captions).max() <= pipe.domain.max_distance
    with warnings.catch_warnings():
        warnings.simplefilter("error", OutOfDomainWarning)
        pipe.sample(MAKE_RUN, seconds=0.5, output="latents")
        pipe.sample_teacher(MAKE_RUN, steps=2, seconds=0.5, output="latents")


def test_the_domain_travels_with_the_pipeline_and_older_folders_still_load(tmp_path):
    pipe = AudioLCM.from_pretrained(teacher=False)
    folder = pipe.save_pretrained(tmp_path / "pipe")
    assert AudioLCM.from_pretrained(folder).domain == pipe.domain
    settings = json.loads((folder / "pipeline.json").read_text())
    (folder / "domain.json").write_text(json.dumps({"name": "x", "kinds": []}))
    with pytest.raises(ValueError, match=r"domain.json: missing field\(s\) \['captions', 'max_distance'\]"): AudioLCM.from_pretrained(folder)
    del settings["domain"]  # a folder saved before pipelines had domains
    (folder / "pipeline.json").write_text(json.dumps(settings)); (folder / "domain.json").unlink()
    old = AudioLCM.from_pretrained(folder)
    assert old.domain is None
    with warnings.catch_warnings():
        warnings.simplefilter("error", OutOfDomainWarning)
        old.sample("a dog barks", seconds=0.5, output="latents")  # no domain: nothing to check against
    with pytest.raises(ValueError, match="has no domain"): old.prompt_distances(["rain"])


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


def test_the_schedule_travels_with_the_denoisers(tmp_path):
    pipe = AudioLCM.from_pretrained()
    assert (pipe.schedule.prediction, pipe.schedule.zero_terminal_snr) == ("v", True)  # the shipped models (12_teacher, stage 12)
    for name in ("student", "teacher"):  # noise-predicting copies on the paper's schedule (their weights untrained for it: only the plumbing is checked)
        eps = AudioTransformer(replace(getattr(pipe, name).cfg, prediction="eps", zero_terminal_snr=False))
        eps.load_state_dict(getattr(pipe, name).state_dict())
        setattr(pipe, name, eps)
    again = AudioLCM.from_pretrained(pipe.save_pretrained(tmp_path / "pipe"))
    assert (again.schedule.prediction, again.schedule.zero_terminal_snr) == ("eps", False)
    assert torch.equal(again.schedule.alphas_cumprod, NoiseSchedule().alphas_cumprod)
    for audio in (again.sample("rain", steps=2, seed=0, seconds=1.0), again.sample_teacher("rain", steps=3, seed=0, seconds=1.0)):
        assert audio.shape == (1, 16000) and np.isfinite(audio).all()


@pytest.mark.filterwarnings("ignore::audiolcm.sampler.OutOfDomainWarning")  # "a dog barks": any prompt gives output of the same shape
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


def test_a_pipeline_with_the_neural_vocoder_saves_and_loads_it(tmp_path):
    from audiolcm.vocoder import ISTFTVocoder, load_vocoder
    pipe = AudioLCM.from_pretrained(teacher=False)
    pipe.vocoder = load_vocoder("tiny")
    folder = pipe.save_pretrained(tmp_path / "pipe")
    assert json.loads((folder / "pipeline.json").read_text())["vocoder"] == "vocoder_tiny"
    again = AudioLCM.from_pretrained(folder)
    assert isinstance(again.vocoder, ISTFTVocoder)
    assert np.array_equal(again.sample("a bell ringing", seed=1), pipe.sample("a bell ringing", seed=1))  # no phase search: bit-identical
    pipe.vocoder = torch.nn.Identity()
    with pytest.raises(ValueError, match="Identity is not saved with a pipeline"): pipe.save_pretrained(tmp_path / "other")


def test_the_student_path_compiles_as_whole_graphs():
    """torch.compile captures the text encoder's network (the tokenizer runs on the host), the consistency function, the VAE
    decoder and both vocoders each as one graph (fullgraph: no host reads of values inside them, so no waits for a GPU) and they
    agree with eager. Griffin-Lim runs 4 + 4 iterations here: the compiled graph unrolls its loops, and at the default 60 + 32
    compiling took over 10 minutes on 2 CPU cores. Its phase normalisation magnifies rounding, hence its looser tolerance, 2e-2
    of the peak: on the stage-12 student's "rain falling" clip, whose noise-like phases are the least settled after 4 iterations,
    the two differ by 1.02e-2 of the peak at one sample, 0.6 % in RMS and 0.4 % in STFT magnitude. The
    neural vocoder's running phase sum reaches hundreds of radians, where float32 values lie about 6e-5 apart, so compiled and
    eager kernels differ by about 1e-4 of the peak (1.1e-4 for the stage-11 student's clips): its tolerance is 1e-3 (-60 dB),
    as in 09_vocoder's batching check."""
    from audiolcm.consistency import ConsistencyModel
    from audiolcm.vocoder import GriffinLimVocoder, ISTFTVocoder
    pipe = AudioLCM.from_pretrained(teacher=False)
    f = ConsistencyModel(pipe.student, pipe.schedule)
    states, mask = pipe.text_encoder.encode(["three loud knocks", "rain falling"])
    z, t, w = torch.randn(2, 20, 64, generator=torch.Generator().manual_seed(0)), torch.full((2,), 999), torch.full((2,), 4.0)
    def decode(z): return pipe.vae.from_latent(z, 128)
    def text_states(ids, attention): return pipe.text_encoder.model(input_ids=ids, attention_mask=attention).last_hidden_state
    tokens = pipe.text_encoder.tokenizer(["three loud knocks", "rain falling on a roof"], padding=True, return_tensors="pt")
    vocoder = ISTFTVocoder.load()
    with torch.no_grad():
        x0 = f(z, t, states, mask, w)
        mel = decode(x0)
        for eager_fn, args, tolerance in ((text_states, (tokens["input_ids"], tokens["attention_mask"]), 1e-4), (f, (z, t, states, mask, w), 1e-4),
                                          (decode, (x0,), 1e-4), (vocoder, (mel,), 1e-3), (GriffinLimVocoder(n_iter=4, nnls_iter=4), (mel,), 2e-2)):
            eager, compiled = eager_fn(*args), torch.compile(eager_fn, fullgraph=True)(*args)  # fullgraph: a graph break fails
            assert torch.allclose(eager, compiled, atol=tolerance * eager.abs().max().item()), eager_fn


def test_the_sampling_loops_read_no_values():
    """No host waits inside the loops: the student's consistency steps and the teacher's DDIM steps run on 'meta' tensors,
    which have shapes but no values, so any read of a value (a GPU synchronisation) would raise here."""
    from audiolcm.backbone import load_denoiser
    from audiolcm.checkpoint import ASSETS
    from audiolcm.consistency import ConsistencyModel, consistency_sample
    from audiolcm.ddim import ddim_sample, guided_eps
    student, teacher = (load_denoiser(ASSETS / name)[0].to("meta") for name in ("student_tiny", "teacher_tiny"))
    states, mask = torch.zeros(2, 9, 384, device="meta"), torch.ones(2, 9, dtype=torch.bool, device="meta")
    z, w, f = torch.zeros(2, 20, 64, device="meta"), torch.full((2,), 4.0, device="meta"), ConsistencyModel(student)
    for steps in (1, 2, 4):
        out = consistency_sample(lambda x, t: f(x, t, states, mask, w), z, steps, noise=[torch.zeros_like(z)] * (steps - 1))
        assert out.shape == z.shape and out.device.type == "meta"
    out = ddim_sample(lambda x, t: guided_eps(teacher, x, t, (states, mask), (states, mask), 5.0), z, 10)
    assert out.shape == z.shape and out.device.type == "meta"
