"""The judge LoRA: synthetic data, CPU LoRA training, GGUF export, evaluation (`sonicgrid llm`)."""
