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

#define FAIL(kind, msg)                         \
  do {                                          \
    napi_throw_##kind(env, "ERR_BLOB_VIEW", msg); \
    return NULL;                                \
  } while (0)

static napi_value js_copy(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 3) FAIL(error, "copy takes 3 arguments");
  void *data, *target;
  size_t len, targetLen;
  double rowD;
  if (!typed(env, argv[0], napi_uint8_array, &data, &len) || !num(env, argv[1], &rowD) || !typed(env, argv[2], napi_uint8_array, &target, &targetLen))
    FAIL(type_error, "copy: strings and target must be Uint8Arrays and row a number");
  if (!(rowD >= 0) || rowD != (double)(size_t)rowD || ((size_t)rowD + 1) * STRING_T_BYTES > len) FAIL(range_error, "copy: row outside the vector");
  const uint8_t *s = (const uint8_t *)data + (size_t)rowD * STRING_T_BYTES;
  uint32_t n;
  memcpy(&n, s, sizeof n);
  if (n > targetLen) FAIL(range_error, "copy: the BLOB does not fit the target");
  if (n <= INLINED_MAX) {
    memcpy(target, s + 4, n);
  } else {
    const void *p;
    memcpy(&p, s + 8, sizeof p);
    memcpy(target, p, n);
  }
  napi_value out;
  napi_create_uint32(env, n, &out);
  return out;
}

/* length(strings, row): the BLOB's length in bytes. */
static napi_value js_length(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2) FAIL(error, "length takes 2 arguments");
  void *data;
  size_t len;
  double rowD;
  if (!typed(env, argv[0], napi_uint8_array, &data, &len) || !num(env, argv[1], &rowD)) FAIL(type_error, "length: strings must be a Uint8Array and row a number");
  if (!(rowD >= 0) || rowD != (double)(size_t)rowD || ((size_t)rowD + 1) * STRING_T_BYTES > len) FAIL(range_error, "length: row outside the vector");
  uint32_t n;
  memcpy(&n, (const uint8_t *)data + (size_t)rowD * STRING_T_BYTES, sizeof n);
  napi_value out;
  napi_create_uint32(env, n, &out);
  return out;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {
      {"copy", NULL, js_copy, NULL, NULL, NULL, napi_default, NULL},
      {"length", NULL, js_length, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
