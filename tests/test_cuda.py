"""Every module on a CUDA GPU gives what it gives on the CPU (skipped where there is no GPU)."""
from contextlib import contextmanager

import pytest
import torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@contextmanager
def full_float32():
    "No TF32 in matrix products and convolutions (it rounds to ~1e-3, the size of the tolerances); the previous settings restored."
    before = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try: yield
    finally: torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


def test_backbone_on_cuda_matches_cpu_and_runs_under_bf16_autocast():
    from audiolcm.backbone import AudioTransformer, BackboneConfig
    torch.manual_seed(0)
    model = AudioTransformer(BackboneConfig.tiny(dim=64, depth=2, guidance_embedding=True, clip_position=True))
    for p in model.parameters(): torch.nn.init.normal_(p, std=0.02)
    x, t = torch.randn(2, 20, 16), torch.tensor([10, 900])
    text, mask = torch.randn(2, 5, 384), torch.ones(2, 5, dtype=torch.bool)
    w, x_mask = torch.tensor([4.0, 9.0]), torch.arange(16)[None] < torch.tensor([[16], [11]])  # the second clip is padded
    cpu = model(x, t, text, mask, w=w, x_mask=x_mask)
    gpu = model.cuda()(x.cuda(), t.cuda(), text.cuda(), mask.cuda(), w=w.cuda(), x_mask=x_mask.cuda()).cpu()
    assert torch.allclose(cpu, gpu, atol=1e-4)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        half = model(x.cuda(), t.cuda(), text.cuda(), mask.cuda(), w=w.cuda(), x_mask=x_mask.cuda()).float().cpu()
    assert torch.allclose(cpu, half, atol=0.05 * cpu.abs().max().item() + 1e-3)  # bf16 keeps ~3 significant digits


def test_vocoder_and_vae_on_cuda_match_cpu():
    from audiolcm.vae import MelVAE
    from audiolcm.vocoder import mel_to_magnitude
    mel = torch.randn(2, 80, 32) - 2
    vae = MelVAE.load()
    with full_float32(): assert torch.allclose(vae.to_latent(mel), vae.cuda().to_latent(mel.cuda()).cpu(), atol=1e-3)
    # Griffin-Lim's phase retrieval turns FFT rounding into other (equally valid) waveforms, so compare the
    # deterministic part, the non-negative mel inversion
    cpu, gpu = mel_to_magnitude(mel), mel_to_magnitude(mel.cuda()).cpu()
    assert torch.allclose(cpu, gpu, rtol=1e-3, atol=1e-5 * cpu.abs().max().item())



def test_neural_vocoder_on_cuda_matches_cpu():
    from audiolcm.vocoder import ISTFTVocoder
    mel = torch.randn(2, 80, 32) - 2
    voc = ISTFTVocoder.load()
    cpu = voc(mel)
    with full_float32(): gpu = voc.cuda()(mel.cuda()).cpu()
    assert torch.allclose(cpu, gpu, atol=1e-3 * cpu.abs().max().item())


def test_sample_on_cuda_is_seeded_like_cpu():
    "The same noise (drawn on the CPU): precision='fp32' reproduces the CPU; the default bf16 agrees in aggregate only."
    from audiolcm.sampler import AudioLCM
    prompts = ["three loud knocks", "rain falling"]
    cpu_pipe, gpu_pipe = AudioLCM.from_pretrained(), AudioLCM.from_pretrained(device="cuda:0")
    z_cpu = cpu_pipe.sample(prompts, seed=0, output="latents")
    t_cpu = cpu_pipe.sample_teacher(prompts, steps=10, seed=0, output="latents")
    with full_float32():
        z_fp32 = gpu_pipe.sample(prompts, seed=0, output="latents", precision="fp32").cpu()
        t_fp32 = gpu_pipe.sample_teacher(prompts, steps=10, seed=0, output="latents", precision="fp32").cpu()
    assert (z_cpu - z_fp32).abs().max() < 1e-3 * z_cpu.abs().max()
    assert (t_cpu - t_fp32).abs().max() < 1e-3 * t_cpu.abs().max()
    # bf16 keeps ~3 significant digits per operation, and the second step starts from the first one's result: on an H200
    # single latents moved by up to 17% of the largest, so bf16 is checked as a whole (relative RMS)
    z_bf16 = gpu_pipe.sample(prompts, seed=0, output="latents").cpu()
    assert (z_bf16 - z_cpu).norm() < 0.1 * z_cpu.norm()
    audio = gpu_pipe.sample(["three loud knocks"], seed=0)
    assert audio.shape == (1, 32768) and abs(audio).max() <= 1.0


def test_inpainting_on_cuda_keeps_the_known_frames():
    from audiolcm.audio import mel_spectrogram
    from audiolcm.sampler import AudioLCM
    pipe = AudioLCM.from_pretrained(device="cuda")
    clip = pipe.sample("rain falling", seed=1)[0]
    z = pipe.sample("three loud knocks", init_audio=clip, inpaint=(1.0, 2.048), seed=0, output="latents")
    init = pipe.vae.to_latent(mel_spectrogram(torch.from_numpy(clip)).cuda())
    assert torch.equal(z[..., :31], init[..., :31].to(z.dtype)) and torch.isfinite(z).all()


def test_embedders_on_cuda_match_cpu():
    from audiolcm.embedders import PANNsCnn14, VGGish
    wav = torch.randn(2, 32768) * 0.1
    for model in (VGGish().eval(), PANNsCnn14().eval()):
        cpu = model.embed(wav)
        with full_float32(): gpu = model.cuda().embed(wav.cuda()).cpu()
        assert torch.allclose(cpu, gpu, atol=1e-3 * (1 + cpu.abs().max().item())), type(model).__name__


def test_fake_release_samples_on_cuda_like_cpu(tmp_path):
    from audiolcm.release import make_fake_release
    from audiolcm.sampler import AudioLCM
    folder = make_fake_release(tmp_path / "release")
    cpu = AudioLCM.from_release(folder).sample(["a dog barks"], seconds=0.512, seed=0)
    pipe = AudioLCM.from_release(folder, device="cuda")
    assert all(next(m.parameters()).is_cuda for m in (pipe.student, pipe.vae, pipe.vocoder))
    gpu = pipe.sample(["a dog barks"], seconds=0.512, seed=0)
    assert cpu.shape == gpu.shape and abs(cpu - gpu).max() < 0.05  # bf16 autocast in the denoiser on CUDA


def test_trainer_runs_on_one_gpu():
    from audiolcm.backbone import AudioTransformer, BackboneConfig
    from audiolcm.teacher import TeacherTrainConfig, train_teacher
    from audiolcm.text import load_text_encoder
    latents, captions = torch.randn(8, 20, 16), ["rain"] * 4 + ["a dog barks"] * 4
    model = AudioTransformer(BackboneConfig.tiny(dim=32, depth=1, heads=2)).cuda()
    ema, losses = train_teacher(model, latents, captions, load_text_encoder(device="cuda"), TeacherTrainConfig(steps=3, batch_size=4), progress=False)
    assert next(ema.parameters()).is_cuda and all(l == l for l in losses)
