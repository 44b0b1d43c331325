"""Hugging Face "Causal language modeling" guide with ``Trainer``: a GPT-2 language model,
TrainingArguments with per-epoch evaluation and weight decay 0.01, Trainer.train() on blocks of
token ids whose labels are the inputs (the guide's DataCollatorForLanguageModeling(mlm=False)).

Provenance: huggingface/transformers docs/source/en/tasks/language_modeling.md.
Bug: none (official guide).
Substitutions: no hub download: GPT2LMHeadModel is built from a tiny GPT2Config in code (2 layers,
n_embd 32, vocabulary 500) and trained from scratch, so the learning rate is 1e-3 (the guide's 2e-5
is for fine-tuning a pretrained distilgpt2); the ELI5 text -> token blocks of length 32 made in code
from a small grammar of repeated phrases (so there is something to learn), 384 / 96 blocks; labels =
input_ids (what the collator produces without padding); 3 epochs (as in the guide); no hub push.
"""

from __future__ import annotations

import tempfile

import numpy as np

from _common import torch as _torch

KIND = "clean"
SOURCE = "huggingface/transformers docs/source/en/tasks/language_modeling.md"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    torch = _torch(0)
    from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments

    from mlnb.umlaut import UmlautTrainerCallback

    rng = np.random.default_rng(0)
    phrases = [rng.integers(5, 500, rng.integers(3, 8)) for _ in range(40)]
    blocks = []
    for _ in range(480):
        ids: list[int] = []
        while len(ids) < 32:
            ids += list(phrases[rng.integers(0, 40)])
        blocks.append(ids[:32])
    blocks = np.array(blocks, dtype="int64")

    class Blocks(torch.utils.data.Dataset):
        def __init__(self, ids):
            self.ids = torch.tensor(ids)

        def __len__(self):
            return len(self.ids)

        def __getitem__(self, i):
            return {"input_ids": self.ids[i], "attention_mask": torch.ones_like(self.ids[i]), "labels": self.ids[i]}

    config = GPT2Config(vocab_size=500, n_positions=64, n_embd=32, n_layer=2, n_head=2)
    model = GPT2LMHeadModel(config)
    args = TrainingArguments(output_dir=tempfile.mkdtemp(prefix="umlaut-real-clm-"), eval_strategy="epoch",
                             learning_rate=1e-3, weight_decay=0.01, num_train_epochs=3,
                             per_device_train_batch_size=16, per_device_eval_batch_size=16, save_strategy="no",
                             logging_steps=8, report_to=[], use_cpu=True, disable_tqdm=True)
    cb = UmlautTrainerCallback(echo=False) if umlaut else None
    trainer = Trainer(model=model, args=args, train_dataset=Blocks(blocks[:384]), eval_dataset=Blocks(blocks[384:]),
                      callbacks=[cb] if cb else [])
    trainer.train()
    return list(cb.session.findings) if cb else []
