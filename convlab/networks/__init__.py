"""Whole networks: one registry of layer types, model specs and builders, safetensors I/O, the training loop,
every layer's maps for one image, single units written out, and the bundled trained models.
"""
