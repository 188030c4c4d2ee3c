/**
 * zod/mini, which the functions validate with (a fraction of classic zod's size and start-up
 * time), comes without messages: this gives it zod's English ones, which the API's `details`
 * show. Imported for its effect by every module that parses with zod/mini.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());
