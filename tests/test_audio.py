"""audiolcm.audio beyond the notebook's checks: other signals, formats and devices."""
import librosa
import numpy as np
import pytest
import soundfile as sf
import torch

from audiolcm.audio import (HOP_LENGTH, N_MELS, PAD_VALUE, SAMPLE_RATE, frames_for_samples, load_audio,
                            mel_spectrogram, n_frames, save_audio)


def librosa_log_mel(wav: np.ndarray) -> np.ndarray:
    "The recipe of 00_audio's settings table, with librosa in float64: (N,) -> (80, T)."
    y = np.pad(wav.astype(np.float64), (384, 384), mode="reflect")
    mag = np.sqrt(np.abs(librosa.stft(y, n_fft=1024, hop_length=256, window="hann", center=False)) ** 2 + 1e-9)
    fb = librosa.filters.mel(sr=16000, n_fft=1024, n_mels=80, fmin=0, fmax=8000, dtype=np.float64)
    return np.log10(np.maximum(fb @ mag, 1e-5))[:, : frames_for_samples(len(wav))]


@pytest.mark.parametrize("n", [512, 16000, 16000 * 3 + 77])
def test_mel_matches_librosa_on_noise_and_odd_lengths(n):
    wav = np.random.default_rng(n).uniform(-0.9, 0.9, n).astype(np.float32)
    ours = mel_spectrogram(torch.from_numpy(wav))
    assert ours.shape == (1, N_MELS, frames_for_samples(n)) and ours.dtype == torch.float32
    assert np.abs(ours[0].double().numpy() - librosa_log_mel(wav)).max() < 1e-4  # float32 FFT rounding << 1e-4


def test_frame_arithmetic():
    assert n_frames(10) == 624 and n_frames(4) == 250 and n_frames(1) == 62
    assert all(frames_for_samples(n) % 2 == 0 and frames_for_samples(n) * HOP_LENGTH <= n for n in range(512, 5000, 37))


def test_mel_under_autocast_and_half_input_is_float32():
    wav = torch.randn(2, 8000) * 0.3
    ref = mel_spectrogram(wav)
    assert mel_spectrogram(wav.half()).dtype == torch.float32
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = mel_spectrogram(wav)
    assert out.dtype == torch.float32 and torch.allclose(out, ref, atol=1e-5)  # autocast is switched off inside


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_mel_on_cuda_matches_cpu():
    wav = torch.randn(3, 16000) * 0.3
    assert torch.allclose(mel_spectrogram(wav.cuda()).cpu(), mel_spectrogram(wav), atol=1e-4)


def test_flac_and_resampling_round_trip(tmp_path):
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    tone = (0.5 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    save_audio(tmp_path / "tone.flac", tone)
    back = load_audio(tmp_path / "tone.flac")
    assert np.abs(back.numpy() - tone).max() < 1 / 2 ** 15 * 1.01  # FLAC stores 16-bit PCM: error <= one step
    sf.write(tmp_path / "tone22.wav", librosa.resample(tone, orig_sr=16000, target_sr=22050), 22050)
    back22 = load_audio(tmp_path / "tone22.wav")
    assert back22.shape == (16000,)
    spectrum = np.abs(np.fft.rfft(back22.numpy()))
    assert abs(np.argmax(spectrum) - 1000) <= 1  # the tone keeps its pitch through two resamplings


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    save_audio(tmp_path / "a.wav", np.zeros(100, np.float32))
    save_audio(tmp_path / "a.wav", np.ones(100, np.float32) * 0.5)
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]
    assert torch.all(load_audio(tmp_path / "a.wav") == 0.5)
    with pytest.raises(ValueError, match="unknown audio format"):
        save_audio(tmp_path / "a.xyz", np.zeros(100, np.float32))
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


def test_silence_is_the_pad_value_and_stereo_is_refused():
    assert torch.all(mel_spectrogram(torch.zeros(2, 2048)) == PAD_VALUE)
    with pytest.raises(ValueError, match="stereo"):
        mel_spectrogram(torch.zeros(1, 2, 2048))
    with pytest.raises(ValueError, match="float audio"):
        mel_spectrogram(torch.zeros(2048, dtype=torch.int16))
