"""The console script, run as a user runs it."""
import json
import subprocess
import sys
from pathlib import Path

import soundfile as sf
import torch

SCRIPT = Path(sys.executable).parent / "audiolcm"


def test_synth_writes_clips_captions_and_sheet(tmp_path):
    out = subprocess.run([str(SCRIPT), "synth", "--out", str(tmp_path), "--n", "2", "--seconds", "1.5", "--split", "valid"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    records = json.loads((tmp_path / "clips.json").read_text())
    assert [r["file"] for r in records] == ["clip_valid_00000.wav", "clip_valid_00001.wav"]
    info = sf.info(tmp_path / records[0]["file"])
    assert (info.samplerate, info.channels, info.frames) == (16000, 1, 24000)
    assert (tmp_path / "mels.png").stat().st_size > 1000


def test_bad_arguments_exit_2_with_a_message(tmp_path):
    out = subprocess.run([str(SCRIPT), "synth", "--out", str(tmp_path), "--n", "0"], capture_output=True, text=True)
    assert out.returncode == 2 and "n must be at least 1" in out.stderr and "Traceback" not in out.stderr


def test_generate_one_prompt_to_a_wav_file(tmp_path):
    out = subprocess.run([str(SCRIPT), "generate", "a siren wailing over rain", "-o", str(tmp_path / "siren.wav"),
                          "--steps", "2", "--guidance", "5", "--seconds", "1.5", "--seed", "0"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    info = sf.info(tmp_path / "siren.wav")
    assert (info.samplerate, info.channels, info.frames) == (16000, 1, 24000)


def test_generate_passes_on_the_warning_for_a_prompt_the_model_does_not_know(tmp_path):
    out = subprocess.run([str(SCRIPT), "generate", "a dog barks", "-o", str(tmp_path / "dog.wav"), "--seconds", "0.5"], capture_output=True, text=True)
    assert out.returncode == 0 and "OutOfDomainWarning: 'a dog barks' is far from the captions this model was trained on" in out.stderr, out.stderr
    assert (tmp_path / "dog.wav").is_file()  # a warning, not an error: the clip is written


def test_generate_refuses_bad_input_without_a_traceback(tmp_path):
    for args, message in [(["", "-o", str(tmp_path / "x.wav")], "non-empty string"),
                          (["x", "--guidance", "nan"], "finite"),
                          (["x", "--model", str(tmp_path)], "pipeline.json is missing")]:
        out = subprocess.run([str(SCRIPT), "generate", *args], capture_output=True, text=True)
        assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr, out.stderr


def test_train_vae_from_a_config_file(tmp_path):
    cfg = tmp_path / "vae.json"
    cfg.write_text(json.dumps({"model": {"channels": 8, "multipliers": [1, 1]}, "train": {"steps": 2, "batch_size": 2}}))
    out = subprocess.run([str(SCRIPT), "train", "vae", "--config", str(cfg), "--out", str(tmp_path / "run")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    saved = json.loads((tmp_path / "run" / "vae" / "config.json").read_text())
    assert saved["kind"] == "MelVAE" and saved["config"]["channels"] == 8 and saved["scale_factor"] > 0


def test_train_vae_without_a_model_trains_the_shipped_sizes(tmp_path):
    "No `model` in the config: the shipped VAE's sizes (VAEConfig.small()), not the smaller tiny preset."
    from audiolcm.vae import VAEConfig
    cfg = tmp_path / "vae.json"
    cfg.write_text(json.dumps({"train": {"steps": 1, "batch_size": 2, "clips": 2}}))
    out = subprocess.run([str(SCRIPT), "train", "vae", "--config", str(cfg), "--out", str(tmp_path / "run")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    saved = json.loads((tmp_path / "run" / "vae" / "config.json").read_text())["config"]
    assert (saved["channels"], list(saved["multipliers"])) == (VAEConfig.small().channels, list(VAEConfig.small().multipliers)) != (VAEConfig().channels, list(VAEConfig().multipliers))


def test_train_refuses_unknown_config_keys(tmp_path):
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"train": {"stpes": 2}}))
    out = subprocess.run([str(SCRIPT), "train", "teacher", "--config", str(cfg), "--out", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 2 and "stpes" in out.stderr and "Traceback" not in out.stderr


def test_train_vae_decoder_stage_keeps_the_encoder_and_its_scale(tmp_path):
    "Stage 2 of the shipped recipe from the command line: init + latent_noise train the decoder alone."
    from audiolcm.vae import MelVAE
    stages = [{"model": {"channels": 8, "multipliers": [1, 1]}, "train": {"steps": 2, "batch_size": 2, "clips": 4}},
              {"init": str(tmp_path / "run1" / "vae"), "train": {"steps": 2, "batch_size": 2, "clips": 4, "latent_noise": 0.3}}]
    for i, stage in enumerate(stages, 1):
        cfg = tmp_path / f"stage{i}.json"
        cfg.write_text(json.dumps(stage))
        out = subprocess.run([str(SCRIPT), "train", "vae", "--config", str(cfg), "--out", str(tmp_path / f"run{i}")], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
    first, second = (MelVAE.load(tmp_path / f"run{i}" / "vae") for i in (1, 2))
    assert float(first.scale_factor) == float(second.scale_factor)
    assert all(torch.equal(a, b) for a, b in zip(first.encoder.state_dict().values(), second.encoder.state_dict().values()))
    assert not all(torch.equal(a, b) for a, b in zip(first.decoder.state_dict().values(), second.decoder.state_dict().values()))
