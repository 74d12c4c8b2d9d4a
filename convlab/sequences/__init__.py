"""The Sequences lessons' math: DNA motifs (one-hot, a 1D CNN's filters), sound (waveforms, spectrograms) and
causal, dilated stacks (WaveNet).
"""
