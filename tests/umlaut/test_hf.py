"""UmlautTrainerCallback with a real (tiny, randomly initialised) transformers Trainer run."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("accelerate")

from mlnb.store import default_store  # noqa: E402

pytestmark = pytest.mark.slow


class Tokens(torch.utils.data.Dataset):
    def __init__(self, n, seed):
        g = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(1, 50, (n, 12), generator=g)
        self.labels = (self.ids[:, 0] > 25).long()

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(12, dtype=torch.long), "labels": self.labels[i]}


def test_trainer_callback_records_epochs_and_findings(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

    from mlnb.umlaut import UmlautTrainerCallback

    torch.manual_seed(0)
    torch.set_num_threads(1)
    config = BertConfig(vocab_size=60, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=16, num_labels=2)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(output_dir=str(tmp_path), num_train_epochs=3, per_device_train_batch_size=16,
                             learning_rate=0.5, logging_steps=2, save_strategy="no",
                             eval_strategy="epoch", report_to=[], use_cpu=True, disable_tqdm=True)
    cb = UmlautTrainerCallback(name="hf-run", echo=False, thresholds={"probe_every": 2})
    trainer = Trainer(model=model, args=args, train_dataset=Tokens(64, 0), eval_dataset=Tokens(32, 1), callbacks=[cb])
    trainer.train()
    s = cb.session
    assert s.status == "finished" and s.name == "hf-run"
    assert len(s.history["loss"]) == 3 and len(s.history["val_loss"]) == 3
    (lr,) = [f for f in s.findings if f.key == "lr-out-of-range"]
    assert lr.context["problem"] == "high"
    assert "internal-check-error" not in {f.key for f in s.findings}
    assert default_store().run(s.run_id)["latest_epoch"] == 2
