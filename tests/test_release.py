"""The authors' release through `AudioLCM` (on a fake release with the real layout and key names), and the loaders of
files made elsewhere (the release, BigVGAN, VGGish, PANNs, CLAP): a planted pickle never runs."""
import shutil

import numpy as np
import pytest
import torch
from transformers import ClapConfig, ClapModel

from audiolcm.app import GenerationRequest, run_request
from audiolcm.checkpoint import load_torch_file
from audiolcm.embedders import CLAPEmbedder, PANNsCnn14, VGGish
from audiolcm.release import convert_release, load_release, make_fake_release
from audiolcm.sampler import AudioLCM
from audiolcm.vocoder import BigVGAN


class Planted:
    "Unpickling it would create the file `marker`: proof that code from the file ran."
    def __init__(self, marker): self.marker = str(marker)
    def __reduce__(self): return (open, (self.marker, "w"))


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    return make_fake_release(tmp_path_factory.mktemp("release") / "release")


@pytest.fixture(scope="module")
def pipe(fake):
    return AudioLCM.from_release(fake)


def test_release_samples_through_audiolcm(pipe):
    prompts = ["a dog barks", "rain falling on a roof"]
    a = pipe.sample(prompts, steps=2, seconds=0.512, seed=3)
    assert isinstance(pipe, AudioLCM) and (a.shape, a.dtype) == ((2, 8192), np.float32)
    assert np.isfinite(a).all() and np.abs(a).max() <= 1
    np.testing.assert_array_equal(pipe.sample(prompts, steps=2, seconds=0.512, seed=3), a)  # seeded: reproducible
    assert not np.allclose(pipe.sample(prompts, steps=2, seconds=0.512, seed=4), a)
    np.testing.assert_allclose(pipe.sample(prompts[1:], steps=2, seconds=0.512, seed=4), a[1:], atol=1e-4)  # item i is seeded seed + i
    assert pipe.sample(prompts[:1], steps=4, seconds=0.3, seed=0).shape == (1, 4800)


def test_release_pipeline_settings(pipe, fake):
    assert (pipe.k, pipe.seconds, pipe.teacher, pipe.audio_input) == (20, 10.0, None, False)
    assert pipe.max_seconds == pytest.approx(202 * 256 / 16_000)  # the tiny fake's positions: 256 - 1 - 154 = 101 latent frames
    with pytest.raises(ValueError, match=r"seconds must be a number in \(0, 3.232\]"):
        pipe.sample(["a dog barks"], seconds=5.0)
    with pytest.raises(ValueError, match="no teacher"):
        pipe.sample_teacher(["a dog barks"], seconds=0.512)
    latents = pipe.sample(["a dog barks"], seconds=0.512, seed=0, output="latents")
    assert latents.shape == (1, 20, 16)


def test_release_refuses_audio_input(pipe):
    with pytest.raises(ValueError, match="text only: its mel front end differs"):
        pipe.sample(["a dog barks"], init_audio=np.zeros(8192, np.float32))


def test_app_runs_on_the_release(pipe):
    results = run_request(pipe, GenerationRequest("a dog barks", seconds=0.512, variations=2))
    assert [r.audio.shape for r in results] == [(8192,), (8192,)] and not np.allclose(results[0].audio, results[1].audio)
    with pytest.raises(ValueError, match=r"seconds must be in \(0, 3.232\]"):
        run_request(pipe, GenerationRequest("a dog barks", seconds=4.0))


def test_converted_release_samples_the_same(pipe, fake, tmp_path):
    conv = AudioLCM.from_release(convert_release(fake, tmp_path / "converted"))
    np.testing.assert_array_equal(conv.sample(["a dog barks"], seconds=0.512, seed=1), pipe.sample(["a dog barks"], seconds=0.512, seed=1))


def test_release_device_is_checked_before_loading(fake, tmp_path):
    folder = _copy(fake, tmp_path / "r")
    (folder / "audiolcm.ckpt").write_bytes(b"not read")  # loading it would fail with another message
    with pytest.raises(ValueError, match="cuda:99"):
        AudioLCM.from_release(folder, device="cuda:99")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            AudioLCM.from_release(folder, device="cuda")


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _release(fake, tmp, marker):
    folder = _copy(fake, tmp / "r")
    torch.save({**load_torch_file(fake / "audiolcm.ckpt"), "hyper_parameters": Planted(marker)}, folder / "audiolcm.ckpt")
    return load_release, folder, "audiolcm.ckpt"


def _text_encoder(fake, tmp, marker):
    folder = _copy(fake, tmp / "r")
    ck = load_torch_file(fake / "audiolcm.ckpt")
    ck["state_dict"] = {k: v for k, v in ck["state_dict"].items() if not k.startswith("cond_stage_model.t5_transformer.")}
    torch.save(ck, folder / "audiolcm.ckpt")  # the T5 encoder now comes from its folder
    t5 = folder / "useful_ckpt" / "t5-v1_1-large"
    (t5 / "model.safetensors").unlink()
    torch.save({"shared.weight": torch.zeros(3), "x": Planted(marker)}, t5 / "pytorch_model.bin")
    return load_release, folder, "t5-v1_1-large/pytorch_model.bin"


def _bigvgan(fake, tmp, marker):
    folder = _copy(fake / "useful_ckpt" / "vocoder", tmp / "vocoder")
    torch.save({"generator": {}, "x": Planted(marker)}, folder / "best_netG.pt")
    return BigVGAN.from_pretrained, folder, "best_netG.pt"


def _vggish(fake, tmp, marker):
    torch.save({**VGGish().state_dict(), "x": Planted(marker)}, tmp / "vggish.pth")
    return VGGish.from_pretrained, tmp / "vggish.pth", "vggish.pth"


def _panns(fake, tmp, marker):
    torch.save({"model": {}, "iteration": 0, "x": Planted(marker)}, tmp / "Cnn14_16k.pth")
    return PANNsCnn14.from_pretrained, tmp / "Cnn14_16k.pth", "Cnn14_16k.pth"


def _clap(fake, tmp, marker):
    cfg = ClapConfig(text_config=dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37, projection_dim=16),
                     audio_config=dict(hidden_size=128, patch_embeds_hidden_size=16, depths=[1, 1, 1, 1], num_attention_heads=[1, 1, 1, 1],
                                       window_size=8, projection_dim=16, enable_fusion=False), projection_dim=16)
    model = ClapModel(cfg)
    cfg.save_pretrained(tmp / "clap")
    torch.save({**model.state_dict(), "x": Planted(marker)}, tmp / "clap" / "pytorch_model.bin")
    return CLAPEmbedder.from_pretrained, tmp / "clap", "clap/pytorch_model.bin"


@pytest.mark.parametrize("case", [_release, _text_encoder, _bigvgan, _vggish, _panns, _clap], ids=lambda f: f.__name__[1:])
def test_every_foreign_loader_refuses_a_planted_pickle_without_running_it(fake, tmp_path, case):
    marker = tmp_path / "code-ran"
    loader, path, name = case(fake, tmp_path, marker)
    with pytest.raises(ValueError, match="holds objects that a weights-only load refuses") as e:
        loader(path)
    assert name in str(e.value) and "io.open" in str(e.value)  # the file, and what it asked for
    assert not marker.exists(), "the planted object's code ran"
