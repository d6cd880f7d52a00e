"""Slow work on the task queue (Django's tasks framework, with the database-backed queue).

- `models`: `Job` (one piece of work, its progress and result) and `ScheduledRun`;
- `registry`: `@job_kind(code)` registers the function that does one kind of work;
- `services`: `enqueue_job`, `retry_job`, the job's upload and result files;
- `runner` and `tasks`: the one task `run_job(job_id)` that claims a job once and runs it;
- `schedule`: daily jobs the workers start once per day;
- `worker`, `cli`: `pdca worker` and `pdca jobs`; `views`, `api`: the job page and endpoints.

Nothing is imported here: `core.models` loads `models` while the app registry starts.
"""
