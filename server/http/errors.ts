import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '../contract/index.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

export function errorBody(err: AppError): ErrorBody {
  const body: ErrorBody = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  return body;
}

/** Unknown routes under the API answer in the API's error shape. */
export const notFound: RequestHandler = (_req, res) => {
  res.status(404).json(errorBody(new AppError('SB_ERR_NOT_FOUND', 'No such route.')));
};

/** Turns every thrown error into `{error:{code,message}}`; internals are logged, not returned. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let appErr: AppError;
    if (err instanceof AppError) appErr = err;
    else if (err?.type === 'entity.too.large') appErr = new AppError('SB_ERR_PAYLOAD_TOO_LARGE');
    else if (err?.type === 'entity.parse.failed') appErr = new AppError('SB_ERR_BAD_JSON');
    else if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500) appErr = new AppError('SB_ERR_BAD_REQUEST');
    else {
      log.error({ err, method: req.method, url: req.path }, 'request failed');
      appErr = new AppError('SB_ERR_INTERNAL');
    }
    if (res.headersSent) return;
    res.status(appErr.status).json(errorBody(appErr));
  };
}
