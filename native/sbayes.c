/*
 * pgsflow SBayesR/SBayesRC sweep kernel: an N-API addon (plain C against node_api.h, built by
 * scripts/buildNative.ts with gcc -O3 -march=native; no BLAS needed).
 *
 *   sweep(q, k, m, first, rOffset, residual, beta, delta, removed, logPi, piStride,
 *         l, half, c, rng, rngOffset, counts)  -> sum of beta^2 over the block's SNPs
 *       One Gibbs pass over the m SNPs of one LD block (core/sbayesrc/blockSweep.ts):
 *       rhs = c (Q_j^T r + beta_j), the five log-weights, delta ~ softmax, beta ~ N(L rhs, L),
 *       r += Q_j (beta_old - beta_new). q is the block's float32 Q (SNP-major, m x k); residual,
 *       beta, delta, removed and logPi are the chain's whole arrays (the block's SNPs start at
 *       `first`, its residual at `rOffset`); rng holds xoshiro128** states, the block's 4 words
 *       at rngOffset, advanced in place exactly as core/numeric/random/rng.ts would (same
 *       uniform and ziggurat normal). counts (5) receives SNPs per component.
 *   liabilities(a, nA, eta, first, m, delta, removed, rng, rngOffset, out, outOffset)
 *       The probit model's latent liabilities for one block's SNPs on the block's stream and
 *       their sufficient statistics per level (see block_liabilities).
 *   gram(a, nA, first, m, removed, out, outOffset)
 *       Level 0's X^T X over the block's kept SNPs (upper triangle), kept by the sampler.
 *   logPi(a, nA, alpha, first, m, logPi, snpPi, eta)
 *       Per-SNP log pi and pi of SNPs first..first+m-1 from the four nested probits
 *       p_c = Phi(a_j^T alpha_c) (core/sbayesrc/probit.ts snpLogPi), and the four a_j^T alpha_c
 *       into eta (for liabilities; empty: not written).
 *   streamSum(x) -> sum of a float32 array (the scale bench's memory-bandwidth probe).
 *
 * Deterministic: every SNP's arithmetic is fixed by this binary (64 interleaved partial sums in
 * the dot product), so any split of blocks over threads gives the same chain. It differs from
 * the WebAssembly/JavaScript fallback in the last bits (summation order, FMA contraction, libm's
 * exp/log/erfc against V8's), so a chain is reproduced bit for bit by the same kernel only.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include "napi_args.h"
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#define NC 5
#define NL 4

/* ---- xoshiro128** and the draws of core/numeric/random/rng.ts ---- */

static double ZIG_K[128], ZIG_W[128], ZIG_F[128];
static const double ZIG_R = 3.442619855899;

static void zig_init(void) {
  const double m1 = 2147483648.0;
  const double vn = 9.91256303526217e-3;
  double dn = ZIG_R, tn = dn;
  const double q = vn / exp(-0.5 * dn * dn);
  ZIG_K[0] = (dn / q) * m1;
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m1;
  ZIG_W[127] = dn / m1;
  ZIG_F[0] = 1;
  ZIG_F[127] = exp(-0.5 * dn * dn);
  for (int i = 126; i >= 1; i--) {
    dn = sqrt(-2 * log(vn / dn + exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_F[i] = exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / m1;
  }
}

typedef struct {
  uint32_t s0, s1, s2, s3;
} rng_t;

static inline uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }

static inline uint32_t next_u32(rng_t *r) {
  const uint32_t result = rotl(r->s1 * 5u, 7) * 9u;
  const uint32_t t = r->s1 << 9;
  r->s2 ^= r->s0;
  r->s3 ^= r->s1;
  r->s1 ^= r->s2;
  r->s0 ^= r->s3;
  r->s2 ^= t;
  r->s3 = rotl(r->s3, 11);
  return result;
}

static inline double uniform(rng_t *r) {
  const double hi = (double)(next_u32(r) >> 5);
  const double lo = (double)(next_u32(r) >> 6);
  return (hi * 67108864.0 + lo + 0.5) / 9007199254740992.0;
}

static double normal(rng_t *r) {
  for (;;) {
    const int32_t hz = (int32_t)next_u32(r);
    const int iz = (int)(next_u32(r) & 127u);
    if (fabs((double)hz) < ZIG_K[iz]) return hz * ZIG_W[iz];
    const double x = hz * ZIG_W[iz];
    if (iz == 0) {
      double xt, y;
      do {
        xt = -log(uniform(r)) / ZIG_R;
        y = -log(uniform(r));
      } while (y + y < xt * xt);
      return hz > 0 ? ZIG_R + xt : -ZIG_R - xt;
    }
    if (ZIG_F[iz] + uniform(r) * (ZIG_F[iz - 1] - ZIG_F[iz]) < exp(-0.5 * x * x)) return x;
  }
}

/* ---- the block sweep ---- */

/*
 * exp(x) for x <= 0 (the mixture weights exp(g_k - max g)), branch-free so gcc vectorises the
 * five components: x = n ln2 + r, |r| <= ln2/2 (Cody-Waite split of ln2), exp(r) by its Taylor
 * series to degree 13 (truncation < 5e-18 relative), times 2^n built in the exponent bits.
 * Within a few ulp of libm's exp, which is far below what a categorical draw can resolve, and
 * fixed by this code (no libm version in the numbers). Below -708 the result is 0.
 */
static inline double exp_nonpos(double x) {
  const double LOG2E = 1.4426950408889634074;
  const double LN2_HI = 6.93147180369123816490e-01, LN2_LO = 1.90821492927058770002e-10;
  const double xc = x < -708.0 ? -708.0 : x;
  const double n = __builtin_round(xc * LOG2E);
  const double r = (xc - n * LN2_HI) - n * LN2_LO;
  double p = 1.0 / 6227020800.0; /* 1/13! */
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  union {
    uint64_t u;
    double d;
  } scale;
  scale.u = (uint64_t)((int64_t)n + 1023) << 52;
  const double e = p * scale.d;
  return x < -708.0 ? 0.0 : e;
}

/*
 * Q_j^T r with 64 interleaved partial sums: 16 four-lane accumulators (GCC vector extensions,
 * kept in registers: enough independent FMA chains to hide their latency), a four-lane tail,
 * a scalar tail, then a fixed pairwise tree.
 */
typedef double v4d __attribute__((vector_size(32)));
typedef double v4du __attribute__((vector_size(32), aligned(8)));
typedef float v4fu __attribute__((vector_size(16), aligned(4)));

static inline v4d load4(const float *q, const double *r, int i, v4d *rv) {
  *rv = *(const v4du *)(r + i);
  return __builtin_convertvector(*(const v4fu *)(q + i), v4d);
}

static inline double dot(const float *restrict q, const double *restrict r, int k) {
  v4d a[16];
  for (int l = 0; l < 16; l++) a[l] = (v4d){0, 0, 0, 0};
  int i = 0;
  for (; i + 64 <= k; i += 64) {
    for (int l = 0; l < 16; l++) {
      v4d rv;
      const v4d qv = load4(q, r, i + 4 * l, &rv);
      a[l] += qv * rv;
    }
  }
  for (int l = 0; i + 4 <= k; i += 4, l++) {
    v4d rv;
    const v4d qv = load4(q, r, i, &rv);
    a[l] += qv * rv;
  }
  for (int w = 8; w >= 1; w /= 2)
    for (int l = 0; l < w; l++) a[l] += a[l + w];
  double s = (a[0][0] + a[0][2]) + (a[0][1] + a[0][3]);
  for (; i < k; i++) s += (double)q[i] * r[i];
  return s;
}

static inline void axpy(const float *restrict q, double *restrict r, int k, double d) {
  for (int i = 0; i < k; i++) r[i] += (double)q[i] * d;
}

static double sweep_block(const float *q, int k, int m, int first, double *r, double *beta, uint8_t *delta,
                          const uint8_t *removed, const double *logPi, int piStride, const double *l,
                          const double *half, double c, rng_t *rng, double *counts) {
  double sumBeta2 = 0;
  double g[NC];
  for (int x = 0; x < NC; x++) counts[x] = 0;
  for (int j = 0; j < m; j++) {
    const int s = first + j;
    if (removed[s] == 1) continue;
    const float *qj = q + (size_t)j * k;
    const double old = beta[s];
    const double rhs = c * (dot(qj, r, k) + old);
    /* Q streams from L3 (a sweep reads ~20 MB): fetch the next SNP's row during this SNP's draws. */
    if (j + 1 < m) {
      const char *nx = (const char *)(qj + k);
      for (int off = 0; off < 4 * k; off += 64) __builtin_prefetch(nx + off, 0, 3);
    }
    const double *lp = logPi + (size_t)s * piStride;
    const double r2 = 0.5 * rhs * rhs;
    g[0] = lp[0];
    for (int x = 1; x < NC; x++) g[x] = half[x] + l[x] * r2 + lp[x];
    double max = -INFINITY;
    for (int x = 0; x < NC; x++)
      if (g[x] > max) max = g[x];
    for (int x = 0; x < NC; x++) g[x] = exp_nonpos(g[x] - max);
    double total = 0;
    for (int x = 0; x < NC; x++) total += g[x];
    double u = uniform(rng) * total;
    int dl = NC - 1;
    for (int x = 0; x < NC; x++) {
      u -= g[x];
      if (u < 0) {
        dl = x;
        break;
      }
    }
    double next = 0;
    if (dl != 0) {
      const double lk = l[dl];
      next = lk * rhs + sqrt(lk) * normal(rng);
    }
    if (next != old) {
      axpy(qj, r, k, old - next);
      beta[s] = next;
    }
    delta[s] = (uint8_t)dl;
    counts[dl] += 1;
    sumBeta2 += next * next;
  }
  return sumBeta2;
}

/* Phi(x) = erfc(-x/sqrt 2)/2, accurate in both tails. */
static inline double phi(double x) { return 0.5 * erfc(-x * M_SQRT1_2); }

/*
 * eta_c = a_s^T alpha_c for the four levels of SNP_WAVE SNPs at once: each SNP's four sums sit
 * in the lanes of one four-lane accumulator, so SNP_WAVE independent FMA chains are in flight
 * instead of one per level, yet every eta is still the in-order sum of rounded products x_t *
 * alpha_ct — bit for bit what a loop per SNP and level gives. alphaT is alpha transposed
 * (alphaT[t*4 + c]).
 */
#define SNP_WAVE 8
static inline void level_etas_wave(const float *restrict a0, int nA, int count, const double *restrict alphaT, double *restrict eta) {
  v4d acc[SNP_WAVE];
  for (int i = 0; i < SNP_WAVE; i++) acc[i] = (v4d){0, 0, 0, 0};
  if (count == SNP_WAVE) {
    for (int t = 0; t < nA; t++) {
      const v4d al = *(const v4du *)(alphaT + 4 * t);
#pragma GCC unroll 8
      for (int i = 0; i < SNP_WAVE; i++) {
        const double x = a0[(size_t)i * nA + t];
        v4d p = (v4d){x, x, x, x} * al;
        /* Product rounded, then added: no FMA here, as in the kernel's earlier per-level loop
           (gcc vectorised its products and added them in order), so chains stay bit for bit. */
        __asm__("" : "+x"(p));
        acc[i] += p;
      }
    }
  } else {
    for (int i = 0; i < count; i++)
      for (int t = 0; t < nA; t++) {
        const double x = a0[(size_t)i * nA + t];
        v4d p = (v4d){x, x, x, x} * *(const v4du *)(alphaT + 4 * t);
        __asm__("" : "+x"(p));
        acc[i] += p;
      }
  }
  for (int i = 0; i < count; i++)
    for (int c = 0; c < NL; c++) eta[i * NL + c] = acc[i][c];
}

/* alpha (NL x nA, level-major) transposed into alphaT (nA x NL); nA <= MAX_NA. */
#define MAX_NA 1024
static void transpose_alpha(const double *alpha, int nA, double *alphaT) {
  for (int c = 0; c < NL; c++)
    for (int t = 0; t < nA; t++) alphaT[4 * t + c] = alpha[c * nA + t];
}

static void snp_log_pi(const float *a, int nA, const double *alpha, int first, int m, double *logPi, double *pi, double *etaOut) {
  double alphaT[4 * MAX_NA];
  double wave[SNP_WAVE * NL];
  transpose_alpha(alpha, nA, alphaT);
  for (int s = first; s < first + m; s++) {
    const int w = (s - first) % SNP_WAVE;
    if (w == 0) {
      const int count = first + m - s < SNP_WAVE ? first + m - s : SNP_WAVE;
      level_etas_wave(a + (size_t)s * nA, nA, count, alphaT, wave);
    }
    const double *etas = wave + w * NL;
    if (etaOut) memcpy(etaOut + (size_t)s * NL, etas, sizeof(double) * NL);
    double reach = 1;
    for (int c = 0; c < NL; c++) {
      const double eta = etas[c];
      /* One erfc per level: the smaller of Phi(eta), 1 - Phi(eta) = Phi(-eta) directly, the other as 1 minus it (no cancellation). */
      double p, q;
      if (eta >= 0) {
        q = phi(-eta);
        p = 1 - q;
      } else {
        p = phi(eta);
        q = 1 - p;
      }
      const double pic = reach * q;
      logPi[(size_t)s * NC + c] = log(pic);
      if (pi) pi[(size_t)s * NC + c] = pic;
      reach *= p;
    }
    logPi[(size_t)s * NC + NL] = log(reach);
    if (pi) pi[(size_t)s * NC + NL] = reach;
  }
}

/*
 * Z ~ N(0,1) conditioned on Z > a, exactly: plain rejection below a = 0.5 (acceptance >= 0.3),
 * else Robert's (1995) translated-exponential proposal with the optimal rate.
 */
static double normal_above(double a, rng_t *rng) {
  if (a < 0.5) {
    for (;;) {
      const double z = normal(rng);
      if (z > a) return z;
    }
  }
  const double lambda = (a + sqrt(a * a + 4)) / 2;
  for (;;) {
    const double z = a - log(uniform(rng)) / lambda;
    const double d = z - lambda;
    if (log(uniform(rng)) < -0.5 * d * d) return z;
  }
}

/*
 * The probit model's data-augmentation step for one block's SNPs, on the block's own PRNG
 * stream: for each level c and each SNP that reached it (not removed, delta >= c), the latent
 * liability's residual e = y - a_j^T alpha_c with y ~ N(a_j^T alpha_c, 1) truncated to y > 0
 * when delta > c, else y <= 0 (a_j^T alpha_c from `eta`, written by snp_log_pi this sweep);
 * then the level's sufficient statistics over the block: out[c*L ..] = n, X^T e (nA), X^T X
 * (nA x nA, upper triangle u >= t only: the main thread mirrors the sum), L = 1 + nA + nA^2.
 * A level with n = 0 has only n written. Level 0 (every kept SNP) leaves X^T X alone: it changes
 * only when the guard removes a SNP, so the sampler keeps it per block (block_gram). The main
 * thread adds the blocks' statistics in block order and runs the Gibbs update of alpha on them.
 */
static void block_liabilities(const float *a, int nA, const double *eta, int first, int m, const uint8_t *delta,
                              const uint8_t *removed, rng_t *rng, double *out) {
  const size_t L = 1 + (size_t)nA + (size_t)nA * nA;
  int started[NL] = {0, 0, 0, 0};
  for (int s = first; s < first + m; s++) {
    if (removed[s] == 1) continue;
    const float *restrict x = a + (size_t)s * nA;
    const int d = delta[s];
    for (int c = 0; c < NL && c <= d; c++) {
      const double et = eta[(size_t)s * NL + c];
      const double e = d > c ? normal_above(-et, rng) : -normal_above(et, rng);
      double *restrict o = out + c * L;
      if (!started[c]) {
        started[c] = 1;
        memset(o, 0, sizeof(double) * (1 + (size_t)nA));
        if (c > 0)
          for (int t = 0; t < nA; t++) memset(o + 1 + nA + (size_t)t * nA + t, 0, sizeof(double) * (size_t)(nA - t));
      }
      o[0] += 1;
      for (int t = 0; t < nA; t++) o[1 + t] += x[t] * e;
      if (c == 0) continue;
      for (int t = 0; t < nA; t++) {
        const double xt = x[t];
        double *restrict row = o + 1 + nA + (size_t)t * nA;
        for (int u = t; u < nA; u++) row[u] += xt * x[u];
      }
    }
  }
  for (int c = 0; c < NL; c++)
    if (!started[c]) out[c * L] = 0;
}

/*
 * X^T X over the block's kept SNPs (removed[s] != 1), upper triangle (u >= t) of out[0 .. nA^2):
 * the probit model's level-0 Gram matrix, added in SNP order exactly as block_liabilities adds
 * the other levels'.
 */
static void block_gram(const float *a, int nA, int first, int m, const uint8_t *removed, double *out) {
  for (int t = 0; t < nA; t++) memset(out + (size_t)t * nA + t, 0, sizeof(double) * (size_t)(nA - t));
  for (int s = first; s < first + m; s++) {
    if (removed[s] == 1) continue;
    const float *restrict x = a + (size_t)s * nA;
    for (int t = 0; t < nA; t++) {
      const double xt = x[t];
      double *restrict row = out + (size_t)t * nA;
      for (int u = t; u < nA; u++) row[u] += xt * x[u];
    }
  }
}

/* ---- N-API glue ---- */

#define CHECK(call)                                                      \
  do {                                                                   \
    if ((call) != napi_ok) {                                             \
      napi_throw_error(env, "ERR_SBAYES", "N-API call failed: " #call); \
      return NULL;                                                       \
    }                                                                    \
  } while (0)


#define ARRAY(i, T, ctype, name)                                                       \
  ctype *name;                                                                         \
  size_t name##Len;                                                                    \
  do {                                                                                 \
    void *p_;                                                                          \
    if (!typed(env, argv[i], T, &p_, &name##Len)) {                                   \
      napi_throw_type_error(env, "ERR_SBAYES", "argument " #i " (" #name ") has the wrong type"); \
      return NULL;                                                                     \
    }                                                                                  \
    name = (ctype *)p_;                                                                \
  } while (0)


#define NUM(i, name)                                                               \
  double name;                                                                     \
  if (!num(env, argv[i], &name)) {                                                 \
    napi_throw_type_error(env, "ERR_SBAYES", "argument " #i " (" #name ") not a number"); \
    return NULL;                                                                   \
  }

static napi_value js_sweep(napi_env env, napi_callback_info info) {
  size_t argc = 17;
  napi_value argv[17];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 17) {
    napi_throw_error(env, "ERR_SBAYES", "sweep takes 17 arguments");
    return NULL;
  }
  ARRAY(0, napi_float32_array, float, q);
  NUM(1, kd);
  NUM(2, md);
  NUM(3, firstd);
  NUM(4, rOffd);
  ARRAY(5, napi_float64_array, double, residual);
  ARRAY(6, napi_float64_array, double, beta);
  ARRAY(7, napi_uint8_array, uint8_t, delta);
  ARRAY(8, napi_uint8_array, uint8_t, removed);
  ARRAY(9, napi_float64_array, double, logPi);
  NUM(10, strided);
  ARRAY(11, napi_float64_array, double, l);
  ARRAY(12, napi_float64_array, double, half);
  NUM(13, c);
  ARRAY(14, napi_uint32_array, uint32_t, rngs);
  NUM(15, rngOffd);
  ARRAY(16, napi_float64_array, double, counts);
  const int k = (int)kd, m = (int)md, first = (int)firstd, rOff = (int)rOffd, stride = (int)strided, rngOff = (int)rngOffd;
  const size_t lastSnp = (size_t)first + (size_t)m;
  if (k < 0 || m < 0 || first < 0 || rOff < 0 || (size_t)m * k > qLen || (size_t)rOff + k > residualLen ||
      lastSnp > betaLen || lastSnp > deltaLen || lastSnp > removedLen || lLen < NC || halfLen < NC || countsLen < NC ||
      (stride != 0 && stride != NC) || (m > 0 && (lastSnp - 1) * stride + NC > logPiLen) || rngOff < 0 || (size_t)rngOff + 4 > rngsLen) {
    napi_throw_range_error(env, "ERR_SBAYES", "sweep: array sizes do not match the block");
    return NULL;
  }
  rng_t rng = {rngs[rngOff], rngs[rngOff + 1], rngs[rngOff + 2], rngs[rngOff + 3]};
  if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) == 0) rng.s0 = 1;
  const double sb2 = sweep_block(q, k, m, first, residual + rOff, beta, delta, removed, logPi, stride, l, half, c, &rng, counts);
  rngs[rngOff] = rng.s0;
  rngs[rngOff + 1] = rng.s1;
  rngs[rngOff + 2] = rng.s2;
  rngs[rngOff + 3] = rng.s3;
  napi_value out;
  CHECK(napi_create_double(env, sb2, &out));
  return out;
}

static napi_value js_log_pi(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 8) {
    napi_throw_error(env, "ERR_SBAYES", "logPi takes 8 arguments");
    return NULL;
  }
  ARRAY(0, napi_float32_array, float, a);
  NUM(1, nAd);
  ARRAY(2, napi_float64_array, double, alpha);
  NUM(3, firstd);
  NUM(4, md);
  ARRAY(5, napi_float64_array, double, logPi);
  ARRAY(6, napi_float64_array, double, pi);
  ARRAY(7, napi_float64_array, double, eta);
  const int nA = (int)nAd, first = (int)firstd, m = (int)md;
  const size_t last = (size_t)first + (size_t)m;
  if (nA < 1 || nA > MAX_NA || first < 0 || m < 0 || last * nA > aLen || alphaLen < (size_t)NL * nA || last * NC > logPiLen ||
      (piLen != 0 && last * NC > piLen) || (etaLen != 0 && last * NL > etaLen)) {
    napi_throw_range_error(env, "ERR_SBAYES", "logPi: array sizes do not match");
    return NULL;
  }
  snp_log_pi(a, nA, alpha, first, m, logPi, piLen ? pi : NULL, etaLen ? eta : NULL);
  return NULL;
}

static napi_value js_liabilities(napi_env env, napi_callback_info info) {
  size_t argc = 11;
  napi_value argv[11];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 11) {
    napi_throw_error(env, "ERR_SBAYES", "liabilities takes 11 arguments");
    return NULL;
  }
  ARRAY(0, napi_float32_array, float, a);
  NUM(1, nAd);
  ARRAY(2, napi_float64_array, double, eta);
  NUM(3, firstd);
  NUM(4, md);
  ARRAY(5, napi_uint8_array, uint8_t, delta);
  ARRAY(6, napi_uint8_array, uint8_t, removed);
  ARRAY(7, napi_uint32_array, uint32_t, rngs);
  NUM(8, rngOffd);
  ARRAY(9, napi_float64_array, double, out);
  NUM(10, outOffd);
  const int nA = (int)nAd, first = (int)firstd, m = (int)md, rngOff = (int)rngOffd, outOff = (int)outOffd;
  const size_t last = (size_t)first + (size_t)m;
  const size_t L = 1 + (size_t)nA + (size_t)nA * nA;
  if (nA < 1 || first < 0 || m < 0 || last * nA > aLen || last * NL > etaLen || last > deltaLen || last > removedLen ||
      rngOff < 0 || (size_t)rngOff + 4 > rngsLen || outOff < 0 || (size_t)outOff + NL * L > outLen) {
    napi_throw_range_error(env, "ERR_SBAYES", "liabilities: array sizes do not match");
    return NULL;
  }
  rng_t rng = {rngs[rngOff], rngs[rngOff + 1], rngs[rngOff + 2], rngs[rngOff + 3]};
  if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) == 0) rng.s0 = 1;
  block_liabilities(a, nA, eta, first, m, delta, removed, &rng, out + outOff);
  rngs[rngOff] = rng.s0;
  rngs[rngOff + 1] = rng.s1;
  rngs[rngOff + 2] = rng.s2;
  rngs[rngOff + 3] = rng.s3;
  return NULL;
}

static napi_value js_gram(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 7) {
    napi_throw_error(env, "ERR_SBAYES", "gram takes 7 arguments");
    return NULL;
  }
  ARRAY(0, napi_float32_array, float, a);
  NUM(1, nAd);
  NUM(2, firstd);
  NUM(3, md);
  ARRAY(4, napi_uint8_array, uint8_t, removed);
  ARRAY(5, napi_float64_array, double, out);
  NUM(6, outOffd);
  const int nA = (int)nAd, first = (int)firstd, m = (int)md, outOff = (int)outOffd;
  const size_t last = (size_t)first + (size_t)m;
  if (nA < 1 || first < 0 || m < 0 || last * nA > aLen || last > removedLen || outOff < 0 || (size_t)outOff + (size_t)nA * nA > outLen) {
    napi_throw_range_error(env, "ERR_SBAYES", "gram: array sizes do not match");
    return NULL;
  }
  block_gram(a, nA, first, m, removed, out + outOff);
  return NULL;
}

/*
 * Sum of a float32 array with 8 vector accumulators: a streaming read at the memory bus's pace,
 * the bandwidth probe the scale bench compares a sweep's reads of Q against.
 */
static napi_value js_stream_sum(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 1) {
    napi_throw_error(env, "ERR_SBAYES", "streamSum takes 1 argument");
    return NULL;
  }
  ARRAY(0, napi_float32_array, float, x);
  typedef float v8f __attribute__((vector_size(32)));
  typedef float v8fu __attribute__((vector_size(32), aligned(4)));
  v8f acc[8];
  for (int l = 0; l < 8; l++) acc[l] = (v8f){0, 0, 0, 0, 0, 0, 0, 0};
  size_t i = 0;
  for (; i + 64 <= xLen; i += 64)
    for (int l = 0; l < 8; l++) acc[l] += *(const v8fu *)(x + i + 8 * l);
  double s = 0;
  for (int l = 0; l < 8; l++)
    for (int e = 0; e < 8; e++) s += acc[l][e];
  for (; i < xLen; i++) s += x[i];
  napi_value out;
  CHECK(napi_create_double(env, s, &out));
  return out;
}

static napi_value js_config(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  const char *s =
#if defined(__AVX512F__)
      "gcc -O3 -march=native (AVX-512)";
#elif defined(__AVX2__)
      "gcc -O3 -march=native (AVX2)";
#else
      "gcc -O3";
#endif
  CHECK(napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out));
  return out;
}

static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

NAPI_MODULE_INIT() {
  /* Once per process: worker threads load the addon while other threads draw from the tables. */
  pthread_once(&zig_once, zig_init);
  napi_property_descriptor props[] = {
      {"sweep", NULL, js_sweep, NULL, NULL, NULL, napi_default, NULL},
      {"logPi", NULL, js_log_pi, NULL, NULL, NULL, napi_default, NULL},
      {"liabilities", NULL, js_liabilities, NULL, NULL, NULL, napi_default, NULL},
      {"gram", NULL, js_gram, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, js_config, NULL, NULL, NULL, napi_default, NULL},
      {"streamSum", NULL, js_stream_sum, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
