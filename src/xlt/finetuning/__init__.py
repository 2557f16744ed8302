"""Model transfer: fine-tuning any HF encoder, honest selection, averaging, PEFT, pretraining.

Heavy libraries (torch, transformers, peft) are imported inside functions.
"""
