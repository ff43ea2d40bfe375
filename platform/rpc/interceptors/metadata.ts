// The interceptors every server and client runs so that request-scoped metadata travels:
// outermost, so that logging and metrics already see the request id.

import type { Interceptor } from "../call.ts";
import { authTokenInterceptor } from "./auth-token.ts";
import { requestIdInterceptor } from "./request-id.ts";
import { traceContextInterceptor } from "./trace-context.ts";

export const metadataInterceptors: readonly Interceptor[] = [
  requestIdInterceptor,
  authTokenInterceptor,
  traceContextInterceptor,
];
