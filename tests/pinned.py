"""What the pinned behaviour is: the shipped pipeline's latents for fixed prompts and seeds, and the final weights of
short VAE, teacher and student training runs. `make_pinned.py` stores them, `test_pinned.py` compares."""
import torch

from audiolcm.backbone import AudioTransformer, BackboneConfig
from audiolcm.distill import DistillConfig
from audiolcm.distributed import distill_distributed, train_teacher_distributed, train_vae_distributed
from audiolcm.sampler import AudioLCM, consistency_latents
from audiolcm.teacher import TeacherTrainConfig, teacher_latents
from audiolcm.vae import MelVAE, VAEConfig, VAETrainConfig

PROMPTS = ["three loud knocks", "a slow organ melody, rising in pitch"]


def pipeline_latents() -> dict:
    "Student latents (2 steps, guidance 5, seed 0) and teacher latents (DDIM 10, guidance 5, fixed noise) of the shipped models."
    pipe = AudioLCM.from_pretrained()
    states, mask = pipe.text_encoder.encode(PROMPTS)
    student = consistency_latents(pipe.student, states, mask, 33, steps=2, guidance=5.0, seed=0)
    noise = torch.stack([torch.randn(20, 33, generator=torch.Generator().manual_seed(i)) for i in range(len(PROMPTS))])
    teacher = teacher_latents(pipe.teacher, pipe.text_encoder, PROMPTS, 33, steps=10, guidance=5.0, noise=noise)
    return {"student": student, "teacher": teacher}


def short_training_runs() -> dict:
    "Final weights of 3-step VAE, teacher and student runs on small models (one process)."
    torch.manual_seed(0)
    vae = MelVAE(VAEConfig(channels=16, groups=4))
    train_vae_distributed(vae, VAETrainConfig(steps=3, batch_size=4), progress=False)
    pipe = AudioLCM.from_pretrained(teacher=False)
    latents = torch.randn(16, 20, 33, generator=torch.Generator().manual_seed(1))
    captions = [f"{n} loud knocks" for n in ("one", "two", "three", "four")] * 4
    teacher = AudioTransformer(BackboneConfig(dim=32, depth=1, heads=2))
    ema, _ = train_teacher_distributed(teacher, latents, captions, pipe.text_encoder, TeacherTrainConfig(steps=3, batch_size=4), progress=False)
    student, _ = distill_distributed(ema, latents, captions, pipe.text_encoder, DistillConfig(steps=3, batch_size=4), progress=False)
    out = {f"vae.{k}": v for k, v in vae.state_dict().items()}
    out.update({f"teacher.{k}": v for k, v in teacher.state_dict().items()})
    out.update({f"teacher_ema.{k}": v for k, v in ema.state_dict().items()})
    out.update({f"student.{k}": v for k, v in student.state_dict().items()})
    return out
