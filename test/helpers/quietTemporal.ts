// SDK logs at WARN in tests (set PGSFLOW_LOG_LEVEL=INFO to see worker state changes).
import { installQuietRuntime } from '../../worker/runtime.js';

installQuietRuntime();
