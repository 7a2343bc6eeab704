/*
 * pgsflow BLOB copies: an N-API addon (plain C against node_api.h, built by
 * scripts/buildNative.ts) that copies a DuckDB result's BLOB into a buffer the caller reuses.
 * @duckdb/node-api hands each BLOB over as a fresh ArrayBuffer: for a dosage cohort's 5 MB
 * genotype chunks that is an allocation (and page faults) per chunk and a major garbage
 * collection every ~64 MB, which cost as much as DuckDB's read itself (issue 19).
 *
 *   length(strings, row) -> bytes;  copy(strings, row, target) -> bytes
 *       `strings` is a BLOB vector's data as @duckdb/node-bindings' vector_get_data gives it: one
 *       duckdb_string_t (16 bytes: uint32 length, then 12 inlined bytes, or 4 prefix bytes and a
 *       pointer into the result chunk's memory) per row. The caller keeps the chunk alive.
 *
 * The duckdb_string_t layout is DuckDB's C API (duckdb.h), not an internal detail.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>
#include "napi_args.h"

#define STRING_T_BYTES 16
#define INLINED_MAX 12

/* Row `row`'s duckdb_string_t in `strings` (arguments 0 and 1), or NULL with a JavaScript
 * exception pending. */
static const uint8_t *string_at(napi_env env, napi_value strings, napi_value row) {
  void *data;
  size_t len;
  double r;
  if (!typed(env, strings, napi_uint8_array, &data, &len) || !num(env, row, &r)) {
    napi_throw_type_error(env, "ERR_BLOB_COPY", "strings must be a Uint8Array and row a number");
    return NULL;
  }
  if (!(r >= 0) || r != (double)(size_t)r || ((size_t)r + 1) * STRING_T_BYTES > len) {
    napi_throw_range_error(env, "ERR_BLOB_COPY", "row outside the vector");
    return NULL;
  }
  return (const uint8_t *)data + (size_t)r * STRING_T_BYTES;
}

static napi_value uint32_value(napi_env env, uint32_t n) {
  napi_value out;
  napi_create_uint32(env, n, &out);
  return out;
}

/* length(strings, row): the BLOB's length in bytes. */
static napi_value js_length(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) {
    napi_throw_error(env, "ERR_BLOB_COPY", "length takes 2 arguments");
    return NULL;
  }
  const uint8_t *s = string_at(env, argv[0], argv[1]);
  if (!s) return NULL;
  uint32_t n;
  memcpy(&n, s, sizeof n);
  return uint32_value(env, n);
}

/* copy(strings, row, target): the BLOB's bytes into target (which must hold them); their count. */
static napi_value js_copy(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *target;
  size_t targetLen;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3 || !typed(env, argv[2], napi_uint8_array, &target, &targetLen)) {
    napi_throw_type_error(env, "ERR_BLOB_COPY", "copy takes strings, a row and a Uint8Array target");
    return NULL;
  }
  const uint8_t *s = string_at(env, argv[0], argv[1]);
  if (!s) return NULL;
  uint32_t n;
  memcpy(&n, s, sizeof n);
  if (n > targetLen) {
    napi_throw_range_error(env, "ERR_BLOB_COPY", "the BLOB does not fit the target");
    return NULL;
  }
  if (n <= INLINED_MAX) {
    memcpy(target, s + 4, n);
  } else {
    const void *p;
    memcpy(&p, s + 8, sizeof p);
    memcpy(target, p, n);
  }
  return uint32_value(env, n);
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"copy", NULL, js_copy, NULL, NULL, NULL, napi_default, NULL},
      {"length", NULL, js_length, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
