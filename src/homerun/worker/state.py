"""What a job can be: waiting for its time (or a worker), or set aside after its last failure."""

from __future__ import annotations

from enum import StrEnum


class JobState(StrEnum):
    READY = "ready"  # due at due_at; a worker's lease (locked_by) may hold it
    FAILED = "failed"  # failed job_max_attempts times; POST /homerun/v1/jobs/{id}/retry
