"""pgsflow's Python ML worker (issue 20): nonlinear models against the linear score on the
cross-validation folds, served as the `fitNonlinear` activity on the `pgsflow-ml` task queue.

The BLAS/OpenMP pools are pinned to one thread here, before numpy, scipy or LightGBM load, so
that the same inputs and seed give byte-identical predictions (a multi-threaded BLAS may sum in a
different order from run to run). Forced, not defaulted: determinism is part of the contract.
"""

import os

for _name in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_name] = "1"

__version__ = "0.1.0"

ML_TASK_QUEUE = "pgsflow-ml"
FIT_NONLINEAR_ACTIVITY = "fitNonlinear"
NONLINEAR_MODELS = ("linear", "elasticnet", "gbdt", "mlp")
NONLINEAR_INPUTS = ("pgs+covariates", "snps+covariates")
