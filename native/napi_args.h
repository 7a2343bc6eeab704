/*
 * Argument readers shared by pgsflow's N-API addons: a typed array of the wanted element type
 * (its data and length), and a number.
 */
#ifndef PGSFLOW_NAPI_ARGS_H
#define PGSFLOW_NAPI_ARGS_H
#include <node_api.h>

static inline int typed(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *len) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, v, &type, len, data, &ab, &off) != napi_ok || type != want) return 0;
  return 1;
}

static inline int num(napi_env env, napi_value v, double *out) { return napi_get_value_double(env, v, out) == napi_ok; }

#endif
