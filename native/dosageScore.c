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
 *   startAsync(same arguments) -> Promise<undefined>
 *       addRows on threads of its own: returns at once with a promise that the main thread
 *       resolves when they are done (through a thread-safe function, the last thread to finish
 *       calls back), so the event loop keeps running meanwhile — DuckDB's callbacks with the next
 *       chunk among them. The arrays it reads and writes are held by references until then and
 *       must not be touched by the caller.
 *
 * Exact: per sample the same rounded operations in the same order as DosageScoreAccumulator's
 * TypeScript loop (core/score/dosageScoreKernel.ts), without fused multiply-add; threads split the
 * samples, never a sum, so the numbers do not depend on the thread count.
 *
 * Fast as a small matrix product (dosages × weights) is, without changing that order: each sum
 * still adds its rows one after the other, but the loop runs over tiles of 8 samples (the lanes of
 * a vector) × up to 10 scores whose sums stay in registers while the tile's rows stream past, so a
 * dosage is converted once per tile and a row's weights are broadcast once per 8 samples. A row
 * with a missing dosage in the tile blends in the missing term (rare, a branch). Every lane
 * computes every score even for a sample that keeps one (fold-wise scoring) — cheaper than
 * scattering — and the sums the caller never reads are simply dropped. The samples after the last
 * whole tile run the reference loop. 10,000 × 5,000 × 10 scores: 0.27–0.43 s on two threads with
 * the per-sample loop, about 4× less CPU time now (bench/dosageKernelTiming.ts).
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

/* One tile: LANES samples (NV vectors of VW doubles) × G scores of sums held in registers: with
 * AVX-512's 32 vector registers 8 samples × 10 scores, else 8 × 5 (16 registers). Each score
 * group reads the tile's dosages again (from L1). */
#ifndef VW
#ifdef __AVX512F__
#define VW 8
#define NV 1
#define G 10
#else
#define VW 4
#define NV 2
#define G 5
#endif
#endif
#define LANES (VW * NV)
/* Cache blocking: ROW_BLOCK rows × SAMPLE_BLOCK samples of dosages (one 4 KiB page per row, 64 KiB)
 * are read by all the tiles and score groups over those samples before the next rows; each row is
 * read along its page, which the hardware prefetcher follows (128 rows × 256 samples, a cache line
 * per row for each tile, took twice as long). */
#ifndef ROW_BLOCK
#define ROW_BLOCK 16
#endif
#ifndef SAMPLE_BLOCK
#define SAMPLE_BLOCK 2048
#endif

typedef double vd __attribute__((vector_size(8 * VW)));
typedef int64_t vl __attribute__((vector_size(8 * VW)));
typedef int32_t vi __attribute__((vector_size(4 * VW)));
typedef uint16_t vu16 __attribute__((vector_size(2 * VW)));
typedef int16_t vs16 __attribute__((vector_size(2 * VW)));

typedef struct {
  const uint16_t *dosage;
  const int32_t *rowAt;
  const uint8_t *named;
  /* Per row r, per score c < sp (s padded to a multiple of G with zeros): w, μ where w ≠ 0 else 0,
   * and what a missing dosage adds. */
  const double *w, *muz, *mt;
  const int32_t *sampleScore; /* NULL: every sample, every score */
  double *acc;
  int32_t *observed;
  double *namedDosage;
  int k, s, sp, centred, i0, i1;
  /* The job's sums score by score (accT[c·n + i]) while it runs, so that a tile loads and stores
   * them as vectors; NULL when out of memory. */
  double *accT;
  int n;
  void *owner; /* the call_t this job belongs to (startAsync) */
} job_t;

/* The reference loop (DosageScoreAccumulator.addRow), one sample at a time: the samples left
 * over after the last whole tile. */
static void scalar_samples(const job_t *j, int i0, int i1) {
  const int s = j->s, sp = j->sp;
  for (int r = 0; r < j->k; r++) {
    const uint16_t *d = j->dosage + j->rowAt[r];
    const double *w = j->w + (size_t)r * sp, *muz = j->muz + (size_t)r * sp, *mt = j->mt + (size_t)r * sp;
    const int nA1 = j->named[r] & 1, nA2 = j->named[r] & 2;
    for (int i = i0; i < i1; i++) {
      const int pick = j->sampleScore ? j->sampleScore[i] : -1;
      if (pick == SKIP_SAMPLE) continue;
      double *a = j->acc + (size_t)i * s;
      const uint16_t u = d[i];
      if (u != DOSAGE_MISSING) {
        const double x = (double)u / 16384.0;
        j->observed[i]++;
        if (nA1) j->namedDosage[i] += x;
        if (nA2) j->namedDosage[i] += 2 - x;
        /* A zero weight adds +0 (μ is 0 there), which leaves a sum unchanged (a sum never is −0). */
        if (pick >= 0) a[pick] += w[pick] * (x - muz[pick]);
        else
          for (int c = 0; c < s; c++) a[c] += w[c] * (x - muz[c]);
      } else if (pick >= 0) {
        a[pick] += mt[pick];
      } else {
        for (int c = 0; c < s; c++) a[c] += mt[c];
      }
    }
  }
}

/* m ? a : b, lane by lane (m is all ones or all zeros per lane); macros, not functions, so that
 * no vector crosses a call (an ABI note when built without AVX). */
#define sel(m, a, b) ((vd)(((vl)(a) & (m)) | ((vl)(b) & ~(m))))
#define splat(x) ((vd){0} + (x))

/* Rows [r0, r1) for the LANES samples from i, scores [g·G, g·G + G): per lane the same rounded
 * operations in the same order as the reference loop (rows in order, each adding w·(x − μ) or the
 * missing term to the sample's sum), with the G × LANES sums held in registers. The first score
 * group also counts the observed dosages and sums the named ones. Every lane computes every score,
 * also for a sample that keeps one score or none (those sums are never read). */
static inline __attribute__((always_inline)) void tile_rows(const job_t *j, int i, int g, int r0, int r1, int centred) {
  const int sp = j->sp, c0 = g * G, first = g == 0;
  vd a[G][NV];
  double *at = j->accT + (size_t)c0 * j->n + i;
  for (int c = 0; c < G; c++)
    for (int v = 0; v < NV; v++) __builtin_memcpy(&a[c][v], at + (size_t)c * j->n + VW * v, sizeof(vd));
  vd nd[NV];
  vl obs[NV];
  for (int v = 0; v < NV; v++) {
    __builtin_memcpy(&nd[v], j->namedDosage + i + VW * v, sizeof(vd));
    obs[v] = (vl){0};
  }
  for (int r = r0; r < r1; r++) {
    const uint16_t *d = j->dosage + j->rowAt[r] + i;
    const double *w = j->w + (size_t)r * sp + c0, *muz = j->muz + (size_t)r * sp + c0, *mt = j->mt + (size_t)r * sp + c0;
    vd x[NV];
    vs16 miss16 = {0};
    for (int v = 0; v < NV; v++) {
      vu16 u;
      __builtin_memcpy(&u, d + VW * v, sizeof u);
      miss16 |= (vs16)(u == (vu16){0} + 0xFFFF);
      x[v] = __builtin_convertvector(__builtin_convertvector(u, vi), vd) / 16384.0; /* exact: a power of two */
    }
    /* Any lane missing: the compare's bits OR-ed as whole words (a lane-by-lane extraction cost
     * about a fifth of the kernel's time). */
    uint64_t mw[sizeof miss16 / 8 > 0 ? sizeof miss16 / 8 : 1] = {0};
    __builtin_memcpy(mw, &miss16, sizeof miss16);
    uint64_t miss = 0;
    for (unsigned q = 0; q < sizeof mw / 8; q++) miss |= mw[q];
    if (!miss) {
      for (int c = 0; c < G; c++) {
        const double wc = w[c], mc = muz[c];
        for (int v = 0; v < NV; v++) a[c][v] += centred ? wc * (x[v] - mc) : wc * x[v]; /* x − 0 = x exactly */
      }
      if (first) {
        /* Adding +0 for an allele not named leaves the sum (never −0) unchanged: no branch. */
        const int64_t named = j->named[r];
        const vl a1 = (vl){0} - (named & 1), a2 = (vl){0} - ((named >> 1) & 1);
        for (int v = 0; v < NV; v++) {
          nd[v] += (vd)((vl)x[v] & a1);
          nd[v] += (vd)((vl)(2 - x[v]) & a2);
          obs[v] += 1;
        }
      }
    } else {
      vl m[NV];
      for (int v = 0; v < NV; v++) m[v] = x[v] == 65535.0 / 16384.0;
      for (int c = 0; c < G; c++) {
        const double wc = w[c], mc = muz[c];
        const vd mtc = splat(mt[c]);
        for (int v = 0; v < NV; v++) a[c][v] += sel(m[v], mtc, centred ? wc * (x[v] - mc) : wc * x[v]);
      }
      if (first) {
        const int named = j->named[r];
        for (int v = 0; v < NV; v++) {
          if (named & 1) nd[v] = sel(m[v], nd[v], nd[v] + x[v]);
          if (named & 2) nd[v] = sel(m[v], nd[v], nd[v] + (2 - x[v]));
          obs[v] += 1 + m[v]; /* m is −1 where missing */
        }
      }
    }
  }
  for (int c = 0; c < G; c++)
    for (int v = 0; v < NV; v++) __builtin_memcpy(at + (size_t)c * j->n + VW * v, &a[c][v], sizeof(vd));
  if (first)
    for (int v = 0; v < NV; v++) {
      __builtin_memcpy(j->namedDosage + i + VW * v, &nd[v], sizeof(vd));
      for (int l = 0; l < VW; l++) j->observed[i + VW * v + l] += (int32_t)obs[v][l];
    }
}

static void tile_rows_centred(const job_t *j, int i, int g, int r0, int r1) { tile_rows(j, i, g, r0, r1, 1); }
static void tile_rows_plain(const job_t *j, int i, int g, int r0, int r1) { tile_rows(j, i, g, r0, r1, 0); }

/* Whether the tile's samples all keep no score (then the reference loop leaves them alone). */
static int tile_skipped(const job_t *j, int i) {
  if (!j->sampleScore) return 0;
  for (int l = 0; l < LANES; l++)
    if (j->sampleScore[i + l] != SKIP_SAMPLE) return 0;
  return 1;
}

static void *run_job(void *arg) {
  const job_t *j = (const job_t *)arg;
  const int s = j->s, n = j->n, groups = j->sp / G;
  const int tiled_end = j->accT ? j->i0 + (j->i1 - j->i0) / LANES * LANES : j->i0;
  /* The sums of the tiled samples, score by score (padding scores start at 0 and are dropped). */
  for (int c = 0; c < j->sp; c++)
    for (int i = j->i0; i < tiled_end; i++) j->accT[(size_t)c * n + i] = c < s ? j->acc[(size_t)i * s + c] : 0.0;
  for (int b0 = j->i0; b0 < tiled_end; b0 += SAMPLE_BLOCK) {
    const int b1 = b0 + SAMPLE_BLOCK < tiled_end ? b0 + SAMPLE_BLOCK : tiled_end;
    for (int r0 = 0; r0 < j->k; r0 += ROW_BLOCK) {
      const int r1 = r0 + ROW_BLOCK < j->k ? r0 + ROW_BLOCK : j->k;
      for (int i = b0; i < b1; i += LANES) {
        if (tile_skipped(j, i)) continue;
        for (int g = 0; g < groups; g++) (j->centred ? tile_rows_centred : tile_rows_plain)(j, i, g, r0, r1);
      }
    }
  }
  for (int i = j->i0; i < tiled_end; i++)
    for (int c = 0; c < s; c++) j->acc[(size_t)i * s + c] = j->accT[(size_t)c * n + i];
  scalar_samples(j, tiled_end, j->i1);
  return NULL;
}

#define FAIL(kind, msg)                          \
  do {                                           \
    napi_throw_##kind(env, "ERR_SCORE", msg);    \
    return NULL;                                 \
  } while (0)

/* One call's work: the jobs of its threads, what they share, and (startAsync) the references that
 * keep the caller's arrays alive until the threads are joined, the promise and the way back to the
 * main thread. */
#define N_REFS 7
typedef struct {
  job_t jobs[MAX_THREADS];
  pthread_t tids[MAX_THREADS];
  char running[MAX_THREADS]; /* a thread was started for jobs[t] */
  int threads, joined;
  int remaining; /* jobs not yet finished (atomic) */
  double *prep, *accT;
  napi_ref refs[N_REFS];
  napi_deferred deferred;
  napi_threadsafe_function done;
} call_t;

/* Reads and checks the 13 arguments; NULL (with a JavaScript exception pending) when they are wrong. */
static call_t *prepare(napi_env env, napi_callback_info info, napi_value *argv) {
  size_t argc = 13;
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
  call_t *call = calloc(1, sizeof(call_t));
  /* Per row, scores padded to a multiple of G: w, μ where w ≠ 0 (else 0: then w·(x − μ) = 0·x = +0,
   * which leaves a sum unchanged exactly as skipping it does, even where μ is unknown), the
   * missing term; and a copy of the row offsets and named alleles (the caller's may go). */
  const int sp = (s + G - 1) / G * G;
  const size_t kk = k > 0 ? (size_t)k : 1;
  double *prep = call ? malloc(sizeof(double) * 3 * kk * sp + sizeof(int32_t) * kk + kk) : NULL;
  if (!prep) {
    free(call);
    FAIL(error, "addRows: out of memory");
  }
  double *pw = prep, *pmuz = prep + (size_t)k * sp, *pmt = prep + (size_t)2 * k * sp;
  int32_t *pat = (int32_t *)(prep + 3 * kk * sp);
  uint8_t *pnamed = (uint8_t *)(pat + kk);
  int centred = 0;
  for (int r = 0; r < k; r++) {
    pat[r] = at[r];
    pnamed[r] = ((const uint8_t *)named)[r];
    for (int c = 0; c < sp; c++) {
      const double wc = c < s ? ((const double *)w)[(size_t)r * s + c] : 0.0;
      pw[(size_t)r * sp + c] = wc;
      pmuz[(size_t)r * sp + c] = wc != 0 ? ((const double *)mu)[(size_t)r * s + c] : 0.0;
      pmt[(size_t)r * sp + c] = c < s ? ((const double *)mt)[(size_t)r * s + c] : 0.0;
      if (pmuz[(size_t)r * sp + c] != 0) centred = 1; /* NaN ≠ 0 too */
    }
  }
  /* Out of memory for the transposed sums: the reference loop alone (slower, the same numbers). */
  double *accT = malloc(sizeof(double) * ((size_t)sp * (n > 0 ? n : 1)));
  call->threads = threads;
  call->prep = prep;
  call->accT = accT;
  for (int t = 0; t < threads; t++) {
    /* Whole tiles per thread; the last takes the samples left over. */
    const int i0 = (int)((long)n * t / threads / LANES * LANES), i1 = t + 1 == threads ? n : (int)((long)n * (t + 1) / threads / LANES * LANES);
    call->jobs[t] = (job_t){(const uint16_t *)dosage, pat, pnamed, pw, pmuz, pmt,
                            pickLen != 0 ? (const int32_t *)pick : NULL, (double *)acc, (int32_t *)observed, (double *)namedDosage,
                            k, s, sp, centred, i0, i1, accT, n, call};
  }
  return call;
}

/* Starts threads running `fn` for jobs [from, threads); a job whose thread cannot start runs here. */
static void launch(call_t *call, int from, void *(*fn)(void *)) {
  for (int t = from; t < call->threads; t++) {
    call->running[t] = pthread_create(&call->tids[t], NULL, fn, &call->jobs[t]) == 0;
    if (!call->running[t]) fn(&call->jobs[t]);
  }
}

static void join(call_t *call) {
  if (call->joined) return;
  for (int t = 0; t < call->threads; t++)
    if (call->running[t]) pthread_join(call->tids[t], NULL);
  free(call->accT);
  free(call->prep);
  call->joined = 1;
}

static void release(napi_env env, call_t *call) {
  for (int q = 0; q < N_REFS; q++)
    if (call->refs[q]) {
      napi_delete_reference(env, call->refs[q]);
      call->refs[q] = NULL;
    }
}

static napi_value js_add_rows(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  call_t *call = prepare(env, info, argv);
  if (!call) return NULL;
  launch(call, 1, run_job);
  run_job(&call->jobs[0]);
  join(call);
  free(call);
  return NULL;
}

/* Main thread, once every job of a startAsync call has finished: join, let go of the arrays,
 * resolve. Without an environment (it is being torn down) only the memory is freed. */
static void call_done(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)js_cb;
  (void)context;
  call_t *call = data;
  join(call);
  if (env) {
    release(env, call);
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, call->deferred, undef);
  }
  napi_release_threadsafe_function(call->done, napi_tsfn_release);
  free(call);
}

/* A startAsync job: the last one to finish calls the main thread back. */
static void *run_job_async(void *arg) {
  job_t *job = arg;
  call_t *call = job->owner;
  run_job(job);
  if (__atomic_sub_fetch(&call->remaining, 1, __ATOMIC_ACQ_REL) == 0) napi_call_threadsafe_function(call->done, call, napi_tsfn_nonblocking);
  return NULL;
}

/* startAsync: addRows on threads of its own, returning a promise at once; the arrays it writes (and
 * the dosages) must not be touched until the promise resolves. */
static napi_value js_start_async(napi_env env, napi_callback_info info) {
  napi_value argv[13];
  call_t *call = prepare(env, info, argv);
  if (!call) return NULL;
  napi_value promise, name;
  const int kept[N_REFS] = {0, 2, 3, 8, 9, 10, 11}; /* w, μ and the missing terms are copied */
  if (napi_create_promise(env, &call->deferred, &promise) != napi_ok ||
      napi_create_string_utf8(env, "pgsflow dosage score", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, NULL, NULL, NULL, call_done, &call->done) != napi_ok) {
    join(call); /* no thread started yet: frees the buffers */
    free(call);
    FAIL(error, "startAsync: could not set up the call");
  }
  for (int q = 0; q < N_REFS; q++)
    if (napi_create_reference(env, argv[kept[q]], 1, &call->refs[q]) != napi_ok) call->refs[q] = NULL;
  call->remaining = call->threads;
  launch(call, 0, run_job_async); /* a job run here still calls back through the queue */
  return promise;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"addRows", NULL, js_add_rows, NULL, NULL, NULL, napi_default, NULL},
      {"startAsync", NULL, js_start_async, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
