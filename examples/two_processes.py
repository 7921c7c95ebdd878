"""The three trainers (VAE, teacher, student) on a tiny corpus under a launcher, as `22_distributed` runs them:
`torchrun --standalone --nproc_per_node 2 examples/two_processes.py out.safetensors`. Rank 0 writes every weight to the file
and prints whether the replicas stayed identical."""
import sys, torch
from safetensors.torch import save_file
from accelerate import Accelerator
from audiolcm.backbone import AudioTransformer, BackboneConfig
from audiolcm.distill import DistillConfig, distill
from audiolcm.teacher import TeacherTrainConfig, encode_corpus, train_teacher
from audiolcm.text import load_text_encoder
from audiolcm.training import replicas_identical
from audiolcm.vae import MelVAE, VAEConfig, VAETrainConfig, train_vae
acc = Accelerator(cpu=True)
torch.manual_seed(0)
vae = MelVAE(VAEConfig.tiny(channels=16))
train_vae(vae, VAETrainConfig(steps=3, batch_size=4), accelerator=acc, progress=False)
latents, caps = encode_corpus(vae, 32, progress=False)
enc = load_text_encoder()
torch.manual_seed(1)
teacher, _ = train_teacher(AudioTransformer(BackboneConfig.tiny(dim=32, depth=1, heads=2)), latents, caps, enc,
                           TeacherTrainConfig(steps=3, batch_size=4), accelerator=acc, progress=False)
student, _ = distill(teacher, latents, caps, enc, DistillConfig(steps=3, batch_size=4), accelerator=acc, progress=False)
same = [replicas_identical(m, acc) for m in (vae, teacher, student)]
if acc.is_main_process:
    save_file({f"{n}.{k}": v.contiguous() for n, m in (("vae", vae), ("teacher", teacher), ("student", student))
               for k, v in m.state_dict().items()}, sys.argv[1])
    print("processes", acc.num_processes, "replicas identical", same)
acc.wait_for_everyone()  # rank 0 is done writing: every rank reaches the teardown together (a rank that tears down alone can abort at exit)
acc.end_training()  # close the process group on every rank before exiting
