/** PFC_TEST_REDIS_URL runs the suite's sessions and rate limits on that Redis (each stack under its own key prefix). */
export const TEST_REDIS_URL = process.env.PFC_TEST_REDIS_URL;
