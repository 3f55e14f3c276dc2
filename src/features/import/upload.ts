import type { RequestHandler } from 'express';
import multer from 'multer';
import { HttpError } from '../../http/errors.js';

/**
 * The one multipart parser in the app, for the import form only. It runs before the CSRF check
 * (which then reads the token from the parsed form), with the size capped so a large upload is
 * refused with a clear message instead of being read.
 */
export function importUpload(maxBytes: number): RequestHandler {
  const parse = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 20, parts: 25, fieldSize: 4096 } }).single('file');
  const mb = Math.round(maxBytes / (1024 * 1024));
  return function uploadedFile(req, res, next) {
    parse(req, res, (err: unknown) => {
      if (!err) return next();
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') {
        return next(new HttpError(413, `The file is larger than ${mb} MB, the most we import at once. Split it into smaller files.`));
      }
      next(new HttpError(400, 'The upload could not be read. Choose the file again.'));
    });
  };
}
