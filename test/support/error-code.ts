import { AppError } from '../../functions/shared/errors';

/** What a use case's promise ends in: 'no error', the code of the AppError it throws, or any other error as text. */
export const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'no error',
    (error: unknown) => (error instanceof AppError ? error.code : String(error)),
  );
