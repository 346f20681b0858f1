-- One job of a kind and name runs at a time: two workers (replicas, or a
-- worker process beside a server) must never fit the same model at once.
-- The claim skips a job whose name is running; this index settles the race
-- of two claims made in the same instant (the second fails and claims later).
CREATE UNIQUE INDEX "jobs_one_running_per_name" ON "jobs" ("kind", ("payload"->>'name')) WHERE "status" = 'RUNNING' AND "payload" ? 'name';
