"""Waiting on jobs of the job pool (ui.jobs) from a test: poll a condition, or poll jobs as a page would."""

import time


def wait(predicate, timeout=30):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def watch(*jobs, timeout=30):
    """Wait until every job has ended, polling each as a page does: the pool's watchdog stops a job nobody has
    polled for its idle timeout (a closed tab), and on a busy machine a job can take longer than that."""
    def ended():
        for job in jobs:
            job.touch()
        return all(job.finished for job in jobs)
    return wait(ended, timeout)
