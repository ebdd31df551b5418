"""Derive digits_contrast.npy from ../digits/digits_images.npy: every image gets a random contrast and brightness.

x = pixels / 16 in [0, 1];  x' = c * x + beta,  c ~ LogUniform(0.1, 10),  beta ~ U(-1, 1), one (c, beta) per image.
The "random contrast" inputs of examples/tract.yaml (TrAct, Petersen et al., NeurIPS 2024).
Deterministic (seed 20240101).
Run from this directory: python3 make_contrast.py (needs numpy only).
"""
import numpy as np

rng = np.random.default_rng(20240101)
x = np.load("../digits/digits_images.npy").astype(np.float64) / 16.0
n = x.shape[0]
c = np.exp(rng.uniform(np.log(0.1), np.log(10.0), size=(n, 1)))
beta = rng.uniform(-1.0, 1.0, size=(n, 1))
np.save("digits_contrast.npy", (c * x + beta).astype(np.float32))
