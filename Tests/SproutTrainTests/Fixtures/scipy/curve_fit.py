"""Fits the forms of Sprout's `fit` stage with scipy.optimize.curve_fit (Levenberg-Marquardt, analytic Jacobian),
for CurveFitTests: reads {"form", "x", "y", "p0"} as JSON on stdin, prints {"p", "se", "r2"} as JSON."""
import json
import sys

import numpy as np
from scipy.optimize import curve_fit


def massive(x, a, lam, gamma, t0, k):
    u = gamma * x + t0
    return a * np.exp(-lam * u) * np.log(u) + k


FORMS = {
    "linear": lambda x, a, b: a + b * x,
    "power_law": lambda x, a, b, c: a * np.power(x, b) + c,
    "exp_saturation": lambda x, y0, yinf, tau: yinf + (y0 - yinf) * np.exp(-x / tau),
    "massive_activation": massive,
}

job = json.load(sys.stdin)
x = np.asarray(job["x"], dtype=float)
y = np.asarray(job["y"], dtype=float)
f = FORMS[job["form"]]
p, cov = curve_fit(f, x, y, p0=job["p0"], method="lm", maxfev=100000, xtol=1e-15, ftol=1e-15, gtol=1e-15)
residual = y - f(x, *p)
r2 = 1 - np.sum(residual**2) / np.sum((y - y.mean()) ** 2)
print(json.dumps({"p": list(map(float, p)), "se": list(map(float, np.sqrt(np.diag(cov)))), "r2": float(r2)}))
