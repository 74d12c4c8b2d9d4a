"""The Convolution lessons' math: output sizes, 1D/2D/3D convolution and pooling with step traces, convolution as a
matrix (Toeplitz, im2col), the backward pass, grouped/depthwise/1×1 layers, unshared and tiled layers, invariance,
and the live checks against torch.nn.functional.
"""
