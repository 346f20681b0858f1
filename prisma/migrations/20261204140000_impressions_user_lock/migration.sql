-- Impressions keep their user's database id without a foreign key: the
-- key's check ran a trigger and locked the user's row for every answer
-- written, a fifth of the database time of a batch of impressions. What the
-- key guaranteed, that no impression outlives its user, is kept by a lock
-- instead (src/db/impressionRepository.ts, IMPRESSIONS_USERS_LOCK): a batch
-- is written holding a shared advisory lock and leaves out users that no
-- longer exist; deleteUser takes the lock exclusively and deletes the
-- user's impressions itself.
ALTER TABLE "impressions" DROP CONSTRAINT "impressions_user_id_fkey";
