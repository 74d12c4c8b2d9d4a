"""Why did the network say that: occlusion (Zeiler & Fergus, Captum's numbers), saliency and Grad-CAM, and
several explanations compared side by side with the sanity check of Adebayo et al.
"""
