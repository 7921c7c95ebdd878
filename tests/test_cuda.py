"""Every module on a CUDA GPU gives what it gives on the CPU (skipped where there is no GPU)."""
import pytest
import torch

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


def test_backbone_on_cuda_matches_cpu_and_runs_under_bf16_autocast():
    from audiolcm.backbone import AudioTransformer, BackboneConfig
    torch.manual_seed(0)
    model = AudioTransformer(BackboneConfig.tiny(dim=64, depth=2, guidance_embedding=True))
    for p in model.parameters(): torch.nn.init.normal_(p, std=0.02)
    x, t = torch.randn(2, 20, 16), torch.tensor([10, 900])
    text, mask = torch.randn(2, 5, 384), torch.ones(2, 5, dtype=torch.bool)
    w = torch.tensor([4.0, 9.0])
    cpu = model(x, t, text, mask, w=w)
    gpu = model.cuda()(x.cuda(), t.cuda(), text.cuda(), mask.cuda(), w=w.cuda()).cpu()
    assert torch.allclose(cpu, gpu, atol=1e-4)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        half = model(x.cuda(), t.cuda(), text.cuda(), mask.cuda(), w=w.cuda()).float().cpu()
    assert torch.allclose(cpu, half, atol=0.05 * cpu.abs().max().item() + 1e-3)  # bf16 keeps ~3 significant digits


def test_vocoder_and_vae_on_cuda_match_cpu():
    from audiolcm.vae import MelVAE
    from audiolcm.vocoder import GriffinLimVocoder
    mel = torch.randn(2, 80, 32) - 2
    vae = MelVAE.load()
    assert torch.allclose(vae.to_latent(mel), vae.cuda().to_latent(mel.cuda()).cpu(), atol=1e-3)
    voc = GriffinLimVocoder(n_iter=4)
    assert torch.allclose(voc(mel), voc.cuda()(mel.cuda()).cpu(), atol=1e-3)


def test_sample_on_cuda_is_seeded_like_cpu():
    from audiolcm.sampler import sample
    cpu = sample(["three loud knocks"], seed=0, device="cpu")
    gpu = sample(["three loud knocks"], seed=0, device="cuda")
    assert cpu.shape == gpu.shape and abs(cpu - gpu).max() < 0.05  # same noise (drawn on the CPU), float differences only
