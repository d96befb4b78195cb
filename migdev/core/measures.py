"""Measures defined once and used by the model, the analysis and the figures."""

from __future__ import annotations

import numpy as np

#: health workers (doctors, nurses and midwives) per 10,000 people below which a country
#: has a critical shortage (WHO, World Health Report 2006, ch. 1)
WHO_CRITICAL_DENSITY = 23.0


def rate(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0 (elementwise)."""
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    shape = num.shape if num.shape == den.shape else np.broadcast_shapes(num.shape, den.shape)
    return np.divide(num, den, out=np.zeros(shape), where=den > 0)


def emigration_rate(abroad, home):
    """m = M / (M + N), the emigration rate of a skill group (Docquier & Marfouk 2006)."""
    return rate(abroad, np.asarray(abroad) + np.asarray(home))


def per_10000(workers, population):
    """Workers per 10,000 population (0 where the population is 0)."""
    return rate(np.asarray(workers) * 10_000.0, population)
