/*
 * pgsflow LD eigen kernels: an N-API addon over LAPACK/BLAS (OpenBLAS on Debian).
 * Plain C against node_api.h (ABI-stable), so `gcc -shared` builds it without node-gyp.
 *
 *   eigh(a, n, values, method, async)  symmetric eigen-decomposition of the n x n float64 `a`
 *                                      (both triangles equal). On return `a` holds the unit
 *                                      eigenvectors as columns (column-major) and `values` the
 *                                      eigenvalues, both in DESCENDING order. method 'r' is
 *                                      dsyevr (MRRR, one n^2 extra), 'd' dsyevd (divide and
 *                                      conquer, 2n^2 extra; numpy's eigh). async: a Promise, the
 *                                      work on the libuv pool so the event loop (heartbeats,
 *                                      the other task queue) keeps turning.
 *   gram(z, m, n, out, acc, async)     out (m x m) = Z Z^T (+ out when acc) for the row-major
 *                                      m x n `z` (dsyrk), both triangles filled: a block's
 *                                      correlation accumulates over chunks of samples.
 *   config()                           a string naming the BLAS build and the CPU kernels in use.
 *
 * The caller must not touch the arrays until an async call settles; references pin them.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fortran BLAS (in libopenblas); declared here to need no cblas header. */
extern void dsyrk_(const char *uplo, const char *trans, const int *n, const int *k, const double *alpha,
                   const double *a, const int *lda, const double *beta, double *c, const int *ldc);
/* OpenBLAS only; weak so another BLAS still links. */
extern char *openblas_get_config(void) __attribute__((weak));
extern char *openblas_get_corename(void) __attribute__((weak));

typedef enum { JOB_EIGH, JOB_GRAM } job_kind;

typedef struct {
  job_kind kind;
  double *a;      /* eigh: matrix in, vectors out; gram: z */
  double *values; /* eigh: eigenvalues out */
  double *out;    /* gram: m x m result */
  int n;          /* eigh: order; gram: m (rows of z) */
  int k;          /* gram: n (columns of z) */
  int accumulate; /* gram: add to out instead of overwriting it */
  char method;
  int info;       /* LAPACK info, or -1000 when out of memory */
  napi_async_work work;
  napi_deferred deferred;
  napi_ref refs[3];
  int nrefs;
} job;

#define CHECK(call)                                                                  \
  do {                                                                               \
    if ((call) != napi_ok) {                                                         \
      napi_throw_error(env, "ERR_LDEIGEN", "N-API call failed: " #call);             \
      return NULL;                                                                   \
    }                                                                                \
  } while (0)

/* Reverse LAPACK's ascending order in place: values and the n columns of v. */
static void to_descending(double *v, double *w, int n) {
  for (int lo = 0, hi = n - 1; lo < hi; lo++, hi--) {
    double t = w[lo];
    w[lo] = w[hi];
    w[hi] = t;
    double *a = v + (size_t)lo * n, *b = v + (size_t)hi * n;
    for (int i = 0; i < n; i++) {
      t = a[i];
      a[i] = b[i];
      b[i] = t;
    }
  }
}

static void run_eigh(job *j) {
  const int n = j->n;
  if (n == 0) return;
  if (j->method == 'r') {
    /* dsyevr writes vectors to a separate z; copy back so both methods return them in a. */
    double *z = malloc(sizeof(double) * (size_t)n * n);
    int *support = malloc(sizeof(int) * 2 * (size_t)n);
    if (!z || !support) {
      free(z);
      free(support);
      j->info = -1000;
      return;
    }
    int found = 0;
    j->info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'L', n, j->a, n, 0, 0, 0, 0, 0, &found, j->values, z, n, support);
    if (j->info == 0) memcpy(j->a, z, sizeof(double) * (size_t)n * n);
    free(z);
    free(support);
  } else {
    j->info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', n, j->a, n, j->values);
  }
  if (j->info == 0) to_descending(j->a, j->values, n);
}

static void run_gram(job *j) {
  const int m = j->n, n = j->k, lda = n > 0 ? n : 1;
  if (m == 0) return;
  if (n == 0) {
    if (!j->accumulate) memset(j->out, 0, sizeof(double) * (size_t)m * m);
    return;
  }
  const double one = 1.0, beta = j->accumulate ? 1.0 : 0.0;
  /* Row-major m x n z is column-major n x m (call it Y): out = Y^T Y, lower triangle. */
  dsyrk_("L", "T", &m, &n, &one, j->a, &lda, &beta, j->out, &m);
  for (int c = 0; c < m; c++)
    for (int r = c + 1; r < m; r++) j->out[(size_t)r * m + c] = j->out[(size_t)c * m + r];
}

static void run(job *j) {
  if (j->kind == JOB_EIGH) run_eigh(j);
  else run_gram(j);
}

static void execute(napi_env env, void *data) {
  (void)env;
  run((job *)data);
}

static napi_value job_error(napi_env env, const job *j) {
  char msg[160];
  if (j->info == -1000) snprintf(msg, sizeof msg, "out of memory for the eigen workspace (n = %d)", j->n);
  else if (j->info > 0) snprintf(msg, sizeof msg, "LAPACK dsyev%c did not converge (info = %d, n = %d)", j->method, j->info, j->n);
  else snprintf(msg, sizeof msg, "LAPACK dsyev%c rejected argument %d (n = %d)", j->method, -j->info, j->n);
  napi_value text, err;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &text);
  napi_create_error(env, NULL, text, &err);
  return err;
}

static void complete(napi_env env, napi_status status, void *data) {
  job *j = (job *)data;
  napi_value undef;
  napi_get_undefined(env, &undef);
  if (status != napi_ok) {
    napi_value text, err;
    napi_create_string_utf8(env, "async work was cancelled", NAPI_AUTO_LENGTH, &text);
    napi_create_error(env, NULL, text, &err);
    napi_reject_deferred(env, j->deferred, err);
  } else if (j->info != 0) {
    napi_reject_deferred(env, j->deferred, job_error(env, j));
  } else {
    napi_resolve_deferred(env, j->deferred, undef);
  }
  for (int i = 0; i < j->nrefs; i++) napi_delete_reference(env, j->refs[i]);
  napi_delete_async_work(env, j->work);
  free(j);
}

/* A Float64Array argument with at least `need` elements; NULL (and a pending exception) otherwise. */
static double *float64_arg(napi_env env, napi_value v, size_t need, const char *what) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) {
    napi_throw_type_error(env, "ERR_LDEIGEN", what);
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_float64_array) {
    napi_throw_type_error(env, "ERR_LDEIGEN", what);
    return NULL;
  }
  if (length < need) {
    napi_throw_range_error(env, "ERR_LDEIGEN", what);
    return NULL;
  }
  return (double *)data;
}

static int int_arg(napi_env env, napi_value v, int *out) {
  int32_t x;
  if (napi_get_value_int32(env, v, &x) != napi_ok || x < 0) {
    napi_throw_type_error(env, "ERR_LDEIGEN", "sizes must be non-negative integers");
    return 0;
  }
  *out = x;
  return 1;
}

/* Run now, or queue on the libuv pool and return a Promise. */
static napi_value dispatch(napi_env env, job *j, napi_value *pins, int npins, bool async) {
  if (!async) {
    run(j);
    napi_value result;
    if (j->info != 0) {
      napi_throw(env, job_error(env, j));
      free(j);
      return NULL;
    }
    free(j);
    napi_get_undefined(env, &result);
    return result;
  }
  napi_value promise, name;
  CHECK(napi_create_promise(env, &j->deferred, &promise));
  for (int i = 0; i < npins; i++) CHECK(napi_create_reference(env, pins[i], 1, &j->refs[j->nrefs++]));
  CHECK(napi_create_string_utf8(env, "pgsflow-ldeigen", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, execute, complete, j, &j->work));
  CHECK(napi_queue_async_work(env, j->work));
  return promise;
}

static napi_value eigh(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 5) {
    napi_throw_type_error(env, "ERR_LDEIGEN", "eigh(a, n, values, method, async)");
    return NULL;
  }
  int n;
  if (!int_arg(env, argv[1], &n)) return NULL;
  double *a = float64_arg(env, argv[0], (size_t)n * n, "a must be a Float64Array of n*n values");
  if (!a) return NULL;
  double *w = float64_arg(env, argv[2], (size_t)n, "values must be a Float64Array of n values");
  if (!w) return NULL;
  char method[4] = {0};
  size_t len;
  CHECK(napi_get_value_string_utf8(env, argv[3], method, sizeof method, &len));
  if (len != 1 || (method[0] != 'd' && method[0] != 'r')) {
    napi_throw_type_error(env, "ERR_LDEIGEN", "method must be 'd' (dsyevd) or 'r' (dsyevr)");
    return NULL;
  }
  bool async;
  CHECK(napi_get_value_bool(env, argv[4], &async));
  job *j = calloc(1, sizeof(job));
  if (!j) {
    napi_throw_error(env, "ERR_LDEIGEN", "out of memory");
    return NULL;
  }
  j->kind = JOB_EIGH;
  j->a = a;
  j->values = w;
  j->n = n;
  j->method = method[0];
  napi_value pins[2] = {argv[0], argv[2]};
  return dispatch(env, j, pins, 2, async);
}

static napi_value gram(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, "ERR_LDEIGEN", "gram(z, m, n, out, accumulate, async)");
    return NULL;
  }
  int m, n;
  if (!int_arg(env, argv[1], &m) || !int_arg(env, argv[2], &n)) return NULL;
  double *z = float64_arg(env, argv[0], (size_t)m * n, "z must be a Float64Array of m*n values");
  if (!z) return NULL;
  double *out = float64_arg(env, argv[3], (size_t)m * m, "out must be a Float64Array of m*m values");
  if (!out) return NULL;
  bool accumulate, async;
  CHECK(napi_get_value_bool(env, argv[4], &accumulate));
  CHECK(napi_get_value_bool(env, argv[5], &async));
  job *j = calloc(1, sizeof(job));
  if (!j) {
    napi_throw_error(env, "ERR_LDEIGEN", "out of memory");
    return NULL;
  }
  j->kind = JOB_GRAM;
  j->accumulate = accumulate;
  j->a = z;
  j->out = out;
  j->n = m;
  j->k = n;
  j->method = 'k';
  napi_value pins[2] = {argv[0], argv[3]};
  return dispatch(env, j, pins, 2, async);
}

static napi_value config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value s;
  char text[512];
  if (openblas_get_config)
    snprintf(text, sizeof text, "%s; kernels %s", openblas_get_config(), openblas_get_corename ? openblas_get_corename() : "?");
  else
    snprintf(text, sizeof text, "LAPACK/BLAS (not OpenBLAS)");
  CHECK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &s));
  return s;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"eigh", NULL, eigh, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gram", NULL, gram, NULL, NULL, NULL, napi_enumerable, NULL},
      {"config", NULL, config, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
