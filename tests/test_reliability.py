"""Bad input and faults, tried as a user would: every probe must end in a clear error (or a warning) that names the problem,
never a traceback from deep inside torch, a silent wrong result, or code from a planted file running."""
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from audiolcm.backbone import AudioTransformer, BackboneConfig, load_denoiser, save_denoiser
from audiolcm.checkpoint import ASSETS, config_from_dict, load_torch_file, read_torch_state
from audiolcm.data import CachedFeature
from audiolcm.sampler import AudioLCM
from audiolcm.teacher import TeacherTrainConfig, train_teacher
from audiolcm.text import load_text_encoder
from audiolcm.vae import MelVAE

SCRIPT = Path(sys.executable).parent / "audiolcm"
RAN = Path(os.environ.get("TMPDIR", "/tmp")) / "audiolcm_planted_payload_ran"


class Payload:
    "Unpickling this would create a file: proof that a loader ran code from a file."
    def __reduce__(self): return (Path.touch, (RAN,))


def plant(path: Path, obj=None):
    "Write a pickle whose loading would run code."
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"state_dict": {"w": torch.zeros(1)}, "payload": Payload()} if obj is None else obj, path)
    return path


@pytest.fixture(scope="module")
def pipe():
    return AudioLCM.from_pretrained()


@pytest.fixture(autouse=True)
def no_code_ran():
    RAN.unlink(missing_ok=True)
    yield
    assert not RAN.exists(), "a planted payload ran"


# --- planted payloads: no loader runs code --------------------------------------------------------------------

def test_foreign_weight_files_refuse_a_payload(tmp_path):
    for reader in (load_torch_file, read_torch_state):
        with pytest.raises(ValueError, match="planted.pt holds objects that a weights-only load refuses"):
            reader(plant(tmp_path / "planted.pt"))


def test_a_training_state_with_a_payload_is_refused(tmp_path):
    enc = load_text_encoder()
    latents, captions = torch.randn(8, 20, 8), ["rain"] * 8
    tc = TeacherTrainConfig(steps=2, batch_size=4, checkpoint_every=1)
    def run(): return train_teacher(AudioTransformer(BackboneConfig(dim=32, depth=1, heads=2)), latents, captions, enc, tc, tmp_path, progress=False)
    run()
    state = torch.load(tmp_path / "train_state.pt", weights_only=True)
    plant(tmp_path / "train_state.pt", {**state, "history": Payload()})
    with pytest.raises(ValueError, match="train_state.pt holds objects that a weights-only load refuses"): run()


def test_a_feature_cache_with_a_payload_is_refused(tmp_path):
    class Items:
        config = {"name": "items"}
        def __len__(self): return 2
        def __getitem__(self, i): return torch.full((3,), float(i))
    cache = CachedFeature(Items(), "double", lambda x: 2 * x, tmp_path)
    assert torch.equal(cache[1], torch.full((3,), 2.0))
    plant(tmp_path / "double" / "0000000.pt", {"x": Payload()})
    with pytest.raises(ValueError, match="0000000.pt holds objects"): cache[0]


def test_a_text_encoder_folder_with_a_payload_is_refused(tmp_path):
    from transformers import BertConfig
    folder = tmp_path / "encoder"
    BertConfig(hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16).save_pretrained(folder)
    load_text_encoder().tokenizer.save_pretrained(folder)
    plant(folder / "pytorch_model.bin", {"embeddings.word_embeddings.weight": torch.zeros(1), "x": Payload()})
    with pytest.raises(ValueError, match="pytorch_model.bin holds objects that a weights-only load refuses"): load_text_encoder(str(folder))


def test_a_clap_folder_gives_its_text_branch(tmp_path):
    from transformers import ClapConfig, ClapModel
    cfg = ClapConfig(text_config=dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=37,
                                      max_position_embeddings=80, projection_dim=16),
                     audio_config=dict(hidden_size=128, patch_embeds_hidden_size=16, depths=[1, 1, 1, 1], num_attention_heads=[1, 1, 1, 1],
                                       window_size=8, projection_dim=16, enable_fusion=False), projection_dim=16)
    clap = ClapModel(cfg)
    clap.save_pretrained(tmp_path / "clap")
    load_text_encoder().tokenizer.save_pretrained(tmp_path / "clap")
    encoder = load_text_encoder(str(tmp_path / "clap"))  # the text branch's weights, not a freshly initialised model
    assert all(torch.equal(a, b) for a, b in zip(encoder.model.state_dict().values(), clap.text_model.state_dict().values()))


# --- damaged or foreign files name the file -------------------------------------------------------------------

def test_damaged_checkpoints_name_the_file(tmp_path):
    vae = MelVAE.load()
    folder = vae.save(tmp_path / "vae")
    weights = (folder / "model.safetensors").read_bytes()
    cases = [("config.json", "{not json", "config.json is not valid JSON"),
             ("config.json", '{"kind": "MelVAE"}', "has no 'config' object"),
             ("model.safetensors", weights[:1000], "model.safetensors is not a readable safetensors file"),
             ("model.safetensors", b"", "model.safetensors is not a readable safetensors file")]
    good_config = (folder / "config.json").read_text()
    for name, content, message in cases:
        (folder / "config.json").write_text(good_config); (folder / "model.safetensors").write_bytes(weights)
        (folder / name).write_bytes(content.encode() if isinstance(content, str) else content)
        with pytest.raises(ValueError, match=message): MelVAE.load(folder)
    (folder / "config.json").write_text(good_config); (folder / "model.safetensors").write_bytes(weights)
    nan = {k: v.clone() for k, v in vae.state_dict().items()}
    nan["decoder.0.weight"][0] = float("nan")
    from safetensors.torch import save_file
    save_file(nan, str(folder / "model.safetensors"))
    with pytest.raises(ValueError, match="not finite"): MelVAE.load(folder)
    with pytest.raises(FileNotFoundError, match="no file"): load_torch_file(tmp_path / "missing.pt")
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(ValueError, match="empty.pt is empty"): load_torch_file(tmp_path / "empty.pt")


def test_configs_are_strict_and_typed(tmp_path):
    for bad, message in [({"dim": "128"}, "'dim' must be an integer"), ({"guidance_embedding": "false"}, "must be true or false"),
                         ({"dmi": 64}, "unknown field")]:
        with pytest.raises(ValueError, match=message): config_from_dict(BackboneConfig, bad)
    student, _ = load_denoiser(ASSETS / "student_tiny")
    folder = save_denoiser(tmp_path / "d", student, "minilm")
    meta = json.loads((folder / "config.json").read_text()); meta["config"]["dim"] = "128"
    (folder / "config.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"d/config.json: field 'dim' must be an integer"): load_denoiser(folder)
    pipeline = tmp_path / "pipe"
    AudioLCM.from_pretrained(teacher=False).save_pretrained(pipeline)
    cfg = json.loads((pipeline / "pipeline.json").read_text()); cfg["studnet"] = cfg.pop("student")
    (pipeline / "pipeline.json").write_text(json.dumps(cfg))
    with pytest.raises(ValueError, match=r"pipeline.json: unknown field\(s\) \['studnet'\]"): AudioLCM.from_pretrained(pipeline)
    with pytest.raises(ValueError, match="pipeline.json is a file"): AudioLCM.from_pretrained(teacher=False).save_pretrained(pipeline / "pipeline.json")


# --- sampling arguments: checked at the boundary --------------------------------------------------------------

@pytest.mark.parametrize("kwargs, message", [
    (dict(prompts=None), "no prompts"), (dict(prompts=[]), "no prompts"), (dict(prompts=[""]), "non-empty string"),
    (dict(steps=0), "steps must be an integer >= 1"), (dict(steps=2.5), "steps must be an integer"),
    (dict(n_per_prompt=2.5), "n_per_prompt must be"), (dict(batch_size=0), "batch_size must be"),
    (dict(guidance=float("nan")), "guidance must be a finite number"), (dict(guidance="5"), "guidance must be a finite number"),
    (dict(seconds=0), "seconds must be"), (dict(seconds=60), "seconds must be"), (dict(seconds=0.04), "shorter than"),
    (dict(seed=2 ** 70), "seed must be"), (dict(seed="abc"), "seed must be"), (dict(seed=1.5), "seed must be"),
    (dict(output="mp3"), "output must be"), (dict(strength=0.5), "pass init_audio"),
])
def test_sample_arguments_are_checked(pipe, kwargs, message):
    args = {"prompts": "rain", **kwargs}
    with pytest.raises(ValueError, match=message): pipe.sample(**args)


def test_numpy_integers_are_integers(pipe):
    assert pipe.sample("rain", steps=np.int64(2), seed=np.int32(3), n_per_prompt=np.int64(1), seconds=0.5).shape == (1, 8000)


def test_teacher_arguments_are_checked(pipe):
    with pytest.raises(ValueError, match="negative_prompt must be a string"): pipe.sample_teacher("rain", negative_prompt=123)
    with pytest.raises(ValueError, match="steps must be in 1..1000"): pipe.sample_teacher("rain", steps=5000)


def test_guidance_outside_the_distilled_range_warns(pipe):
    with pytest.warns(UserWarning, match=r"distilled for guidance 5..13"): pipe.sample("rain", guidance=100, seconds=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pipe.sample("rain", guidance=5, seconds=0.5)


def test_audio_to_audio_inputs_are_checked(pipe):
    clip = pipe.sample("rain", seed=0)[0]
    scaled = pipe.sample("rain", init_audio=(clip * 32767).astype(np.int16), strength=0.5, seed=0, output="latents")
    reference = pipe.sample("rain", init_audio=clip, strength=0.5, seed=0, output="latents")
    assert (scaled - reference).abs().mean() < 0.02  # int16 read as PCM: only its rounding differs
    for bad, message in [(dict(init_audio=clip * (1.5 / np.abs(clip).max())), "outside \\[-1, 1\\]"), (dict(init_audio=clip, init_sr=0), "init_sr must be"),
                         (dict(init_audio=clip, inpaint=(0.5,)), "inpaint must be"), (dict(init_audio=clip, strength=0), "strength must be")]:
        with pytest.raises(ValueError, match=message): pipe.sample("rain", **bad)


def test_inpainting_keeps_the_audio_outside_the_span(pipe):
    clip = pipe.sample("rain falling", seed=1)[0]
    out = pipe.sample("three loud knocks", init_audio=clip, inpaint=(0.5, 1.5), seed=0)[0]
    assert np.array_equal(out[:int(0.45 * 16000)], clip[:int(0.45 * 16000)]) and np.array_equal(out[int(1.55 * 16000):], clip[int(1.55 * 16000):])
    assert not np.allclose(out[int(0.6 * 16000): int(1.4 * 16000)], clip[int(0.6 * 16000): int(1.4 * 16000)])


# --- output paths: checked before any work --------------------------------------------------------------------

def test_output_paths_are_checked_before_generating(tmp_path):
    (tmp_path / "file").write_text("x")
    locked = tmp_path / "locked"; locked.mkdir(); locked.chmod(0o500)
    cases = [(["a", "b", "-o", str(tmp_path / "y.wav")], "names one file but 2 clips"),
             (["a", "-o", str(tmp_path / "x.mp3")], "written as .wav"),
             (["a", "b", "-o", str(tmp_path / "file")], "is a file"),
             (["a", "-o", str(tmp_path / "file" / "x.wav")], "cannot write")]
    if os.geteuid() != 0: cases.append((["a", "-o", str(locked / "x.wav")], "cannot write"))  # root may write anywhere
    for args, message in cases:
        r = subprocess.run([str(SCRIPT), "generate", *args], capture_output=True, text=True)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, (args, r.stderr[-500:])
    assert not (tmp_path / "y.wav").exists() and not (tmp_path / "x.mp3").exists()


def test_written_files_have_normal_permissions(tmp_path):
    out = tmp_path / "one.wav"
    r = subprocess.run([str(SCRIPT), "generate", "rain", "-o", str(out), "--seconds", "0.5"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    umask = os.umask(0); os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_training_configs_are_checked_before_any_work(tmp_path):
    (tmp_path / "taken").write_text("x")
    for train, out, message in [({"steps": "abc"}, tmp_path / "r1", "'steps' must be an integer"),
                                ({"checkpoint_every": 0}, tmp_path / "r2", "checkpoint_every must be an integer >= 1"),
                                ({"batch_size": 0}, tmp_path / "r3", "batch_size must be an integer >= 1"),
                                ({"steps": 1}, tmp_path / "taken", "is a file")]:
        cfg = tmp_path / "cfg.json"
        cfg.write_text(json.dumps({"model": {"channels": 8, "multipliers": [1, 1]}, "train": train}))
        r = subprocess.run([str(SCRIPT), "train", "vae", "--config", str(cfg), "--out", str(out)], capture_output=True, text=True)
        assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, (train, r.stderr[-500:])
