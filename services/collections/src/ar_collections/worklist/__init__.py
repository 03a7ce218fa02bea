"""The collector's worklist: accounts and tasks to work on a business date, ordered by an
explainable priority score with breached SLAs first; its weights and SLA rules."""
