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
 *   accumulateDosage(dosage, nVariants, analysisIndex, group, rows, q, G, sums, missingCount,
 *                    missing, threads)
 *       The same over dosages (pgen / VCF / BGEN cohorts): uint16 ALT dosages in units of
 *       1/16384 per sample, 0xFFFF missing; x = dosage / 16384 (exact: a power of two).
 *
 * Exact: each sum is the same sequence of rounded additions and multiplications in .fam order as
 * the TypeScript loop it replaces (built with -ffp-contract=off, so no fused multiply-add merges
 * a product into its sum) — the numbers are bit for bit those of that loop, for any thread count
 * (threads split the variants, never a sum). For hard calls x is 1 or 2 and every product exact.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi_args.h"
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define MAX_THREADS 64

typedef struct {
  const uint8_t *packed;   /* .bed codes, or NULL when dosage is given */
  const uint16_t *dosage;  /* nVariants x nSamples */
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

#define DOSAGE_MISSING 0xFFFF
#define DOSAGE_SCALE 16384.0

static void accumulate_dosage_variant(const job_t *j, int v) {
  const int q = j->q, W = q + 3, R = q + 1;
  double *out = j->sums + (size_t)v * j->G * W;
  memset(out, 0, sizeof(double) * (size_t)j->G * W);
  const uint16_t *d = j->dosage + (size_t)v * j->nSamples;
  int32_t *miss = j->missing + (size_t)v * j->nAnalysis;
  int nMiss = 0;
  for (int i = 0; i < j->nSamples; i++) {
    const int a = j->ai[i];
    if (a < 0) continue;
    const unsigned dv = d[i];
    if (dv == 0) continue; /* dosage 0 adds nothing */
    if (dv == DOSAGE_MISSING) {
      miss[nMiss++] = a;
      continue;
    }
    const double x = (double)dv / DOSAGE_SCALE;
    double *restrict acc = out + (size_t)j->group[a] * W;
    const double *restrict row = j->rows + (size_t)a * R;
    acc[0] += x;
    acc[1] += x * x;
    for (int r = 0; r < R; r++) acc[2 + r] += x * row[r];
  }
  j->missingCount[v] = nMiss;
}

static void accumulate_variant(const job_t *j, int v) {
  if (j->dosage) {
    accumulate_dosage_variant(j, v);
    return;
  }
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

/* Checks the shared arguments (from argv[first]: analysisIndex, group, rows, q, G, sums,
 * missingCount, missing, threads), then runs the jobs over nV variants. */
static napi_value run_accumulate(napi_env env, napi_value *argv, int first, const uint8_t *packed, size_t bpv, const uint16_t *dosage,
                                 size_t genoLen, int nV) {
  void *ai, *group, *rows, *sums, *missingCount, *missing;
  size_t aiLen, groupLen, rowsLen, sumsLen, mcLen, missLen;
  double qD, GD, threadsD;
  napi_value *a = argv + first;
  if (!typed(env, a[0], napi_int32_array, &ai, &aiLen) || !typed(env, a[1], napi_int32_array, &group, &groupLen) ||
      !typed(env, a[2], napi_float64_array, &rows, &rowsLen) || !num(env, a[3], &qD) || !num(env, a[4], &GD) ||
      !typed(env, a[5], napi_float64_array, &sums, &sumsLen) || !typed(env, a[6], napi_int32_array, &missingCount, &mcLen) ||
      !typed(env, a[7], napi_int32_array, &missing, &missLen) || !num(env, a[8], &threadsD))
    FAIL(type_error, "accumulate: an argument has the wrong type");
  const int q = (int)qD, G = (int)GD, nAnalysis = (int)groupLen, nSamples = (int)aiLen;
  int threads = (int)threadsD;
  const int genoOk = packed ? (bpv >= (size_t)((nSamples + 3) / 4) && (size_t)nV * bpv <= genoLen) : ((size_t)nV * nSamples <= genoLen);
  if (nV < 0 || q < 1 || G < 1 || !genoOk || rowsLen < (size_t)nAnalysis * (q + 1) || sumsLen < (size_t)nV * G * (q + 3) || mcLen < (size_t)nV ||
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
    jobs[t] = (job_t){packed, dosage, bpv, (int)((long)nV * t / threads), (int)((long)nV * (t + 1) / threads), nSamples, nAnalysis,
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

static napi_value js_accumulate(napi_env env, napi_callback_info info) {
  size_t argc = 12;
  napi_value argv[12];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 12) FAIL(error, "accumulate takes 12 arguments");
  void *packed;
  size_t packedLen;
  double bpvD, nVD;
  if (!typed(env, argv[0], napi_uint8_array, &packed, &packedLen) || !num(env, argv[1], &bpvD) || !num(env, argv[2], &nVD))
    FAIL(type_error, "accumulate: an argument has the wrong type");
  return run_accumulate(env, argv, 3, (const uint8_t *)packed, (size_t)bpvD, NULL, packedLen, (int)nVD);
}

static napi_value js_accumulate_dosage(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 11) FAIL(error, "accumulateDosage takes 11 arguments");
  void *dosage;
  size_t dosageLen;
  double nVD;
  if (!typed(env, argv[0], napi_uint16_array, &dosage, &dosageLen) || !num(env, argv[1], &nVD))
    FAIL(type_error, "accumulateDosage: an argument has the wrong type");
  return run_accumulate(env, argv, 2, NULL, 0, (const uint16_t *)dosage, dosageLen, (int)nVD);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"accumulate", NULL, js_accumulate, NULL, NULL, NULL, napi_default, NULL},
      {"accumulateDosage", NULL, js_accumulate_dosage, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
