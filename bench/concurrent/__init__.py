"""50 managers at once (issue 9, item 4): a mixed load on one database, then a check
that nothing was lost or half-written.

    python -m bench.concurrent --db URL [--users 50] [--minutes 2] [--think 2-8] [--seed N]
                               [--json FILE]

Run it on a demo database (``qstui demo --size large``; a small one for a quick look).
Each simulated manager is a thread with its own ``Database`` (its own connection, as a
qstui process has) acting as one of the demo's managers (ivanov, petrova, sidorov,
head, in turn). Each first does every operation once, then a random mix with think
times between operations (2–8 s by default, ``--think``) until the time is up: find
anything, open a client card, open a deal, log an interaction, edit a company (under
the version it read), move a deal to another stage, add a payment. A small hot set of
companies and deals is touched by many managers at once, so that conflicts really
happen.

It prints throughput and p50/p95/p99 per operation beside the target (p95 ≤ 300 ms),
then verifies: every acknowledged write is in the database, every refused one was
reported as a conflict and left no trace, every deal's debt equals its documents minus
its payments. The exit code is 1 when anything was lost or inconsistent, or when an
operation failed with anything but a conflict; 0 otherwise.

Modules: ``plan`` (what the managers work on), ``workload`` (the managers), ``verify``
(the checks), ``report`` (the figures), ``__main__`` (the command).
"""

# ``python bench/some_bench.py`` puts bench/ first on sys.path, so that this package is
# found as the top-level ``concurrent`` and would hide the standard library's
# (``asyncio`` imports ``concurrent.futures``). Imported under that name, it lends its
# name to the standard package: the submodules are looked up there too.
if __name__ == "concurrent":
    import os
    import sysconfig

    __path__.append(os.path.join(sysconfig.get_path("stdlib"), "concurrent"))
