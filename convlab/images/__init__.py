"""The Images lessons' math: loading photos, hand-made and learned kernels, top patches, feature visualisation,
Gram matrices and style transfer; explain/ holds occlusion, gradients (saliency, Grad-CAM) and their comparison.
"""
