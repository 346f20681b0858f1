-- At most one active version per model name, whatever the application does.
CREATE UNIQUE INDEX "model_versions_one_active_per_name" ON "model_versions"("name") WHERE "is_active";
