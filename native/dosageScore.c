/*
 * pgsflow dosage scoring kernel: an N-API addon (plain C against node_api.h, built by
 * scripts/buildNative.ts with gcc -O3 -march=native -ffp-contract=off; no BLAS).
 *
 *   addRows(dosage, nSamples, rowAt, named, w, mu, missingTerm, s, sampleScore, acc, observed,
 *           namedDosage, threads)
 *       For k rows (weighted variants) of one chunk of uint16 ALT dosages (1/16384 units, 0xFFFF
 *       missing; row r's samples start at dosage[rowAt[r]]), per sample i in order of rows:
 *       a present dosage x counts in observed[i] and, for the named alleles (named[r]: 1 = A1,
 *       2 = A2), in namedDosage[i]; it adds w[r*s+c]·(x − mu[r*s+c]) to acc[i*s+c] for every c
 *       whose weight is not 0 (only c = sampleScore[i] when that is ≥ 0; nothing when −2); a
 *       missing one adds missingTerm[r*s+c]. sampleScore may be empty (every sample, every c).
 *
 * Exact: per sample the same rounded operations in the same order as DosageScoreAccumulator's
 * TypeScript loop (core/score/dosageScoreKernel.ts), without fused multiply-add; threads split the
 * samples, never a sum, so the numbers do not depend on the thread count.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi_args.h"
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_THREADS 64
#define DOSAGE_MISSING 0xFFFF
#define SKIP_SAMPLE (-2)

typedef struct {
  const uint16_t *dosage;
  const int32_t *rowAt;
  const uint8_t *named;
  const double *w, *mu, *missingTerm;
  const int32_t *sampleScore; /* NULL: every sample, every score */
  double *acc;
  int32_t *observed;
  double *namedDosage;
  int k, s, i0, i1;
} job_t;

static void *run_job(void *arg) {
  const job_t *j = (const job_t *)arg;
  const int s = j->s;
  /* μ with 0 where the weight is 0: then w·(x − μ) = 0·x = +0 (x ≥ 0), which leaves a sum
   * unchanged exactly as skipping it does, even where μ is unknown (NaN); the loop over scores
   * then has no branch and vectorises. */
  double *muz = malloc(sizeof(double) * (size_t)s);
  const int branchy = muz == NULL; /* out of memory: skip zero weights by a branch instead */
  for (int r = 0; r < j->k; r++) {
    const uint16_t *d = j->dosage + j->rowAt[r];
    const double *w = j->w + (size_t)r * s, *mu = j->mu + (size_t)r * s, *mt = j->missingTerm + (size_t)r * s;
    if (!branchy)
      for (int c = 0; c < s; c++) muz[c] = w[c] != 0 ? mu[c] : 0.0;
    const int nA1 = j->named[r] & 1, nA2 = j->named[r] & 2;
    for (int i = j->i0; i < j->i1; i++) {
      const int pick = j->sampleScore ? j->sampleScore[i] : -1;
      if (pick == SKIP_SAMPLE) continue;
      double *a = j->acc + (size_t)i * s;
      const uint16_t u = d[i];
      if (u != DOSAGE_MISSING) {
        const double x = (double)u / 16384.0;
        j->observed[i]++;
        if (nA1) j->namedDosage[i] += x;
        if (nA2) j->namedDosage[i] += 2 - x;
        if (pick >= 0) {
          if (w[pick] != 0) a[pick] += w[pick] * (x - mu[pick]);
        } else {
          /* A zero weight adds +0, which leaves a sum unchanged (a sum never is −0). */
          if (branchy)
            for (int c = 0; c < s; c++) a[c] += w[c] != 0 ? w[c] * (x - mu[c]) : 0.0;
          else
            for (int c = 0; c < s; c++) a[c] += w[c] * (x - muz[c]);
        }
      } else if (pick >= 0) {
        a[pick] += mt[pick];
      } else {
        for (int c = 0; c < s; c++) a[c] += mt[c];
      }
    }
  }
  free(muz);
  return NULL;
}

#define FAIL(kind, msg)                          \
  do {                                           \
    napi_throw_##kind(env, "ERR_SCORE", msg);    \
    return NULL;                                 \
  } while (0)

static napi_value js_add_rows(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 13) FAIL(error, "addRows takes 13 arguments");
  void *dosage, *rowAt, *named, *w, *mu, *mt, *pick, *acc, *observed, *namedDosage;
  size_t dosageLen, rowAtLen, namedLen, wLen, muLen, mtLen, pickLen, accLen, obsLen, ndLen;
  double nD, sD, threadsD;
  if (!typed(env, argv[0], napi_uint16_array, &dosage, &dosageLen) || !num(env, argv[1], &nD) ||
      !typed(env, argv[2], napi_int32_array, &rowAt, &rowAtLen) || !typed(env, argv[3], napi_uint8_array, &named, &namedLen) ||
      !typed(env, argv[4], napi_float64_array, &w, &wLen) || !typed(env, argv[5], napi_float64_array, &mu, &muLen) ||
      !typed(env, argv[6], napi_float64_array, &mt, &mtLen) || !num(env, argv[7], &sD) ||
      !typed(env, argv[8], napi_int32_array, &pick, &pickLen) || !typed(env, argv[9], napi_float64_array, &acc, &accLen) ||
      !typed(env, argv[10], napi_int32_array, &observed, &obsLen) || !typed(env, argv[11], napi_float64_array, &namedDosage, &ndLen) ||
      !num(env, argv[12], &threadsD))
    FAIL(type_error, "addRows: an argument has the wrong type");
  const int n = (int)nD, s = (int)sD, k = (int)rowAtLen;
  if (n < 0 || s < 1 || namedLen < (size_t)k || wLen < (size_t)k * s || muLen < (size_t)k * s || mtLen < (size_t)k * s ||
      (pickLen != 0 && pickLen < (size_t)n) || accLen < (size_t)n * s || obsLen < (size_t)n || ndLen < (size_t)n)
    FAIL(range_error, "addRows: array sizes do not match");
  const int32_t *at = (const int32_t *)rowAt;
  for (int r = 0; r < k; r++)
    if (at[r] < 0 || (size_t)at[r] + (size_t)n > dosageLen) FAIL(range_error, "addRows: a row lies outside the dosage chunk");
  if (pickLen != 0)
    for (int i = 0; i < n; i++)
      if (((const int32_t *)pick)[i] >= s) FAIL(range_error, "addRows: a sample's score column is out of range");
  int threads = (int)threadsD;
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > n) threads = n > 0 ? n : 1;
  job_t jobs[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  for (int t = 0; t < threads; t++) {
    jobs[t] = (job_t){(const uint16_t *)dosage, at, (const uint8_t *)named, (const double *)w, (const double *)mu, (const double *)mt,
                      pickLen != 0 ? (const int32_t *)pick : NULL, (double *)acc, (int32_t *)observed, (double *)namedDosage,
                      k, s, (int)((long)n * t / threads), (int)((long)n * (t + 1) / threads)};
  }
  int started = 1;
  for (int t = 1; t < threads; t++) {
    if (pthread_create(&tids[t], NULL, run_job, &jobs[t]) != 0) break;
    started++;
  }
  run_job(&jobs[0]);
  for (int t = started; t < threads; t++) run_job(&jobs[t]);
  for (int t = 1; t < started; t++) pthread_join(tids[t], NULL);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"addRows", NULL, js_add_rows, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
