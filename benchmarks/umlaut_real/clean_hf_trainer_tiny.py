"""Hugging Face "Text classification" with ``Trainer`` (transformers docs, tasks/sequence_classification):
a BERT sequence classifier, TrainingArguments with per-epoch evaluation, Trainer.train().

Provenance: huggingface/transformers docs/source/en/tasks/sequence_classification.md.
Bug: none (official guide).
Substitutions: no hub download: the model is BertForSequenceClassification built from a tiny
BertConfig in code (2 layers, hidden 32) and trained from scratch, so the learning rate is 1e-3
(a from-scratch rate; the guide's 2e-5 is for fine-tuning a pretrained model); the IMDB dataset ->
tokenized reviews made in code (vocabulary 2000, length 32), 512 / 128 examples; 3 epochs; no
checkpoints, no hub push.
"""

from __future__ import annotations

import tempfile

from _common import reviews, torch as _torch

KIND = "clean"
SOURCE = "huggingface/transformers docs/source/en/tasks/sequence_classification.md"
BUG = ""
NAMES: tuple[str, ...] = ()


def main(umlaut: bool = True):
    torch = _torch(0)
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    from mlnb.umlaut import UmlautTrainerCallback

    x, y = reviews(640, length=32)

    class Reviews(torch.utils.data.Dataset):
        def __init__(self, ids, labels):
            self.ids, self.labels = torch.tensor(ids), torch.tensor(labels)

        def __len__(self):
            return len(self.ids)

        def __getitem__(self, i):
            return {"input_ids": self.ids[i], "attention_mask": (self.ids[i] > 0).long(), "labels": self.labels[i]}

    config = BertConfig(vocab_size=2000, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=2)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(output_dir=tempfile.mkdtemp(prefix="umlaut-real-hf-"), learning_rate=1e-3,
                             per_device_train_batch_size=16, per_device_eval_batch_size=16, num_train_epochs=3,
                             weight_decay=0.01, eval_strategy="epoch", save_strategy="no", logging_steps=8,
                             report_to=[], use_cpu=True, disable_tqdm=True)
    cb = UmlautTrainerCallback(echo=False) if umlaut else None
    trainer = Trainer(model=model, args=args, train_dataset=Reviews(x[:512], y[:512]),
                      eval_dataset=Reviews(x[512:], y[512:]), callbacks=[cb] if cb else [])
    trainer.train()
    return list(cb.session.findings) if cb else []
