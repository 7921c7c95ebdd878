"""What the pinned behaviour is: the shipped pipeline's latents for fixed prompts and seeds, and the final weights of
short VAE, teacher and student training runs. `make_pinned.py` stores them, `test_pinned.py` compares."""
import torch

from audiolcm.backbone import AudioTransformer, BackboneConfig
from audiolcm.distill import DistillConfig, distill
from audiolcm.sampler import AudioLCM
from audiolcm.teacher import TeacherTrainConfig, train_teacher
from audiolcm.vae import MelVAE, VAEConfig, VAETrainConfig, train_vae

PROMPTS = ["three loud knocks", "a slow organ melody, rising in pitch"]
SECONDS = 1.056  # 66 mel frames, 33 latent frames


def pipeline_latents() -> dict:
    "Student latents (2 steps, guidance 5, seed 0) and teacher latents (DDIM 10, guidance 5, seed 0) of the shipped models."
    pipe = AudioLCM.from_pretrained()
    return {"student": pipe.sample(PROMPTS, steps=2, guidance=5.0, seconds=SECONDS, seed=0, output="latents"),
            "teacher": pipe.sample_teacher(PROMPTS, steps=10, guidance=5.0, seconds=SECONDS, seed=0, output="latents")}


def short_training_runs() -> dict:
    "Final weights of 3-step VAE, teacher and student runs on small models (one process)."
    torch.manual_seed(0)
    vae = MelVAE(VAEConfig(channels=16, groups=4))
    train_vae(vae, VAETrainConfig(steps=3, batch_size=4), progress=False)
    pipe = AudioLCM.from_pretrained(teacher=False)
    torch.manual_seed(0)  # loading the shipped models draws from the global generator: start the teacher from a known state
    latents = torch.randn(16, 20, 33, generator=torch.Generator().manual_seed(1))
    captions = [f"{n} loud knocks" for n in ("one", "two", "three", "four")] * 4
    teacher = AudioTransformer(BackboneConfig(dim=32, depth=1, heads=2))
    ema, _ = train_teacher(teacher, latents, captions, pipe.text_encoder, TeacherTrainConfig(steps=3, batch_size=4), progress=False)
    student, _ = distill(ema, latents, captions, pipe.text_encoder, DistillConfig(steps=3, batch_size=4), progress=False)
    out = {f"vae.{k}": v for k, v in vae.state_dict().items()}
    out.update({f"teacher.{k}": v for k, v in teacher.state_dict().items()})
    out.update({f"teacher_ema.{k}": v for k, v in ema.state_dict().items()})
    out.update({f"student.{k}": v for k, v in student.state_dict().items()})
    return out
