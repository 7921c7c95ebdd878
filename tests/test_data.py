"""audiolcm.data beyond the notebook: an AudioCaps-style TSV fixture, DataLoader workers, caching."""
import csv

import numpy as np
import pytest
import soundfile as sf
import torch
from torch.utils.data import DataLoader

from audiolcm.audio import PAD_VALUE, SAMPLE_RATE
from audiolcm.data import CachedFeature, CaptionedAudioFolder, SynthCaps, collate_audio, fix_length


@pytest.fixture
def audiocaps(tmp_path):
    "AudioCaps layout: audiocap_id, youtube_id, start_time, caption; files named by youtube_id, no extension in the table."
    root = tmp_path / "audiocaps"
    (root / "audio").mkdir(parents=True)
    rows = []
    for i in range(4):
        clip = SynthCaps("valid", seconds=1.5)[i]
        sf.write(root / "audio" / f"yt{i}.wav", clip["wav"].numpy(), SAMPLE_RATE, subtype="FLOAT")
        rows.append({"audiocap_id": str(i), "youtube_id": f"yt{i}", "start_time": "0", "caption": clip["caption"]})
    with open(root / "test.tsv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), delimiter="\t"); w.writeheader(); w.writerows(rows)
    return root


def test_audiocaps_layout_loads_and_batches(audiocaps):
    ds = CaptionedAudioFolder(audiocaps, seconds=2.0, return_mel=True)
    assert (ds.file_column, ds.caption_column, len(ds)) == ("youtube_id", "caption", 4)
    item = ds[2]
    assert torch.equal(item["wav"][:24000], SynthCaps("valid", seconds=1.5)[2]["wav"])  # 16 kHz WAV: exact
    assert torch.all(item["wav"][24000:] == 0) and item["wav"].shape == (32000,)
    batch = collate_audio([ds[i] for i in range(4)])
    assert batch["mel"].shape == (4, 80, 124) and batch["caption"][2] == SynthCaps("valid", seconds=1.5)[2]["caption"]


def test_variable_length_folder_batches_pad_with_silence(audiocaps):
    sf.write(audiocaps / "audio" / "yt0.wav", np.zeros(8000, np.float32), SAMPLE_RATE)  # a shorter file
    ds = CaptionedAudioFolder(audiocaps, return_mel=True)
    batch = collate_audio([ds[0], ds[1]])
    assert batch["wav_lengths"].tolist() == [8000, 24000]
    assert batch["mel_lengths"].tolist() == [30, 92] and torch.all(batch["mel"][0, :, 30:] == PAD_VALUE)


def test_synthcaps_in_worker_processes_is_deterministic():
    ds = SynthCaps("test", size=8, seconds=1.0)
    loaded = next(iter(DataLoader(ds, batch_size=8, num_workers=2, collate_fn=collate_audio)))
    direct = collate_audio([ds[i] for i in range(8)])
    assert torch.equal(loaded["wav"], direct["wav"]) and loaded["caption"] == direct["caption"]


def test_cache_is_keyed_by_dataset_config(tmp_path):
    fn = lambda it: it["wav"][:10].clone()
    CachedFeature(SynthCaps("valid", size=2, seconds=1.0), "head", fn, tmp_path)[0]
    with pytest.raises(ValueError, match="use another cache_dir"):
        CachedFeature(SynthCaps("valid", size=2, seconds=2.0), "head", fn, tmp_path)


def test_fix_length():
    x = torch.arange(5.0)
    assert fix_length(x, 3).tolist() == [0, 1, 2] and fix_length(x, 7).tolist() == [0, 1, 2, 3, 4, 0, 0]


def test_empty_batch_is_refused():
    with pytest.raises(ValueError, match="empty batch"):
        collate_audio([])
