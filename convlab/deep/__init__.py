"""Why deep networks train: batch normalization, dropout, optimisers on loss surfaces, depth (vanishing gradients,
skips, activations, initialisation), side-by-side runs, and their live checks against torch.
"""
