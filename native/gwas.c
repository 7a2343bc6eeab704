/*
 * pgsflow fold-GWAS accumulation kernel: an N-API addon (plain C against node_api.h, built by
 * scripts/buildNative.ts with gcc -O3 -march=native; no BLAS).
 *
 *   accumulate(packed, bytesPerVariant, nVariants, analysisIndex, group, rows, q, G,
 *              sums, missingCount, missing, threads)
 *       For each of nVariants packed .bed variants and each held-out group g < G, over the
 *       analysis samples of g that carry the variant (x = dosage of A1 in 1, 2; 0 adds
 *       nothing): sums[(v*G + g)*(q+3) + ...] = S_x, S_xx, S_xy, S_Cx (q). rows holds per
 *       analysis sample [y, C_0 .. C_{q-1}] (q+1 doubles). Samples missing the variant go to
 *       missing[v*nAnalysis ..] (analysis indices, in .fam order), their count to
 *       missingCount[v]. core/gwas/linearFoldGwas.ts turns the sums into every fold's OLS.
 *
 * Exact: x is 1 or 2, so every product x*value is exact and each sum is the same sequence of
 * rounded additions in .fam order as the TypeScript loop it replaces — the numbers are bit for
 * bit those of that loop, for any thread count (threads split the variants, never a sum).
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi_args.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define MAX_THREADS 64

typedef struct {
  const uint8_t *packed;
  size_t bpv;
  int v0, v1;
  int nSamples, nAnalysis;
  const int32_t *ai;
  const int32_t *group;
  const double *rows;
  int q, G;
  double *sums;
  int32_t *missingCount;
  int32_t *missing;
} job_t;

static void accumulate_variant(const job_t *j, int v) {
  const int q = j->q, W = q + 3, R = q + 1;
  double *out = j->sums + (size_t)v * j->G * W;
  memset(out, 0, sizeof(double) * (size_t)j->G * W);
  const uint8_t *p = j->packed + (size_t)v * j->bpv;
  int32_t *miss = j->missing + (size_t)v * j->nAnalysis;
  int nMiss = 0;
  for (int i = 0; i < j->nSamples; i++) {
    const int a = j->ai[i];
    if (a < 0) continue;
    const int code = (p[i >> 2] >> ((i & 3) << 1)) & 3;
    if (code == 3) continue; /* hom A2: dosage 0 adds nothing */
    if (code == 1) {
      miss[nMiss++] = a;
      continue;
    }
    const double x = code == 0 ? 2.0 : 1.0;
    double *restrict acc = out + (size_t)j->group[a] * W;
    const double *restrict row = j->rows + (size_t)a * R;
    acc[0] += x;
    acc[1] += x * x;
    for (int r = 0; r < R; r++) acc[2 + r] += x * row[r];
  }
  j->missingCount[v] = nMiss;
}

static void *run_job(void *arg) {
  const job_t *j = (const job_t *)arg;
  for (int v = j->v0; v < j->v1; v++) accumulate_variant(j, v);
  return NULL;
}

/* ---- N-API glue ---- */



#define FAIL(kind, msg)                         \
  do {                                          \
    napi_throw_##kind(env, "ERR_GWAS", msg);    \
    return NULL;                                \
  } while (0)

static napi_value js_accumulate(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 12) FAIL(error, "accumulate takes 12 arguments");
  void *packed, *ai, *group, *rows, *sums, *missingCount, *missing;
  size_t packedLen, aiLen, groupLen, rowsLen, sumsLen, mcLen, missLen;
  double bpvD, nVD, qD, GD, threadsD;
  if (!typed(env, argv[0], napi_uint8_array, &packed, &packedLen) || !num(env, argv[1], &bpvD) || !num(env, argv[2], &nVD) ||
      !typed(env, argv[3], napi_int32_array, &ai, &aiLen) || !typed(env, argv[4], napi_int32_array, &group, &groupLen) ||
      !typed(env, argv[5], napi_float64_array, &rows, &rowsLen) || !num(env, argv[6], &qD) || !num(env, argv[7], &GD) ||
      !typed(env, argv[8], napi_float64_array, &sums, &sumsLen) || !typed(env, argv[9], napi_int32_array, &missingCount, &mcLen) ||
      !typed(env, argv[10], napi_int32_array, &missing, &missLen) || !num(env, argv[11], &threadsD))
    FAIL(type_error, "accumulate: an argument has the wrong type");
  const size_t bpv = (size_t)bpvD;
  const int nV = (int)nVD, q = (int)qD, G = (int)GD, nAnalysis = (int)groupLen, nSamples = (int)aiLen;
  int threads = (int)threadsD;
  if (nV < 0 || q < 1 || G < 1 || bpv < (size_t)((nSamples + 3) / 4) || (size_t)nV * bpv > packedLen ||
      rowsLen < (size_t)nAnalysis * (q + 1) || sumsLen < (size_t)nV * G * (q + 3) || mcLen < (size_t)nV ||
      missLen < (size_t)nV * nAnalysis)
    FAIL(range_error, "accumulate: array sizes do not match");
  const int32_t *aip = (const int32_t *)ai;
  const int32_t *gp = (const int32_t *)group;
  for (int i = 0; i < nSamples; i++)
    if (aip[i] >= nAnalysis || (aip[i] >= 0 && (gp[aip[i]] < 0 || gp[aip[i]] >= G))) FAIL(range_error, "accumulate: sample index or group out of range");
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > nV) threads = nV > 0 ? nV : 1;
  job_t jobs[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  for (int t = 0; t < threads; t++) {
    jobs[t] = (job_t){(const uint8_t *)packed, bpv, (int)((long)nV * t / threads), (int)((long)nV * (t + 1) / threads), nSamples, nAnalysis,
                      aip, gp, (const double *)rows, q, G, (double *)sums, (int32_t *)missingCount, (int32_t *)missing};
  }
  int started = 1;
  for (int t = 1; t < threads; t++) {
    if (pthread_create(&tids[t], NULL, run_job, &jobs[t]) != 0) break;
    started++;
  }
  run_job(&jobs[0]);
  for (int t = started; t < threads; t++) run_job(&jobs[t]); /* a thread that could not start: its share here */
  for (int t = 1; t < started; t++) pthread_join(tids[t], NULL);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"accumulate", NULL, js_accumulate, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
