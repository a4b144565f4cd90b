"""RQ entry points: thin functions that open an app context and call one service.

The worker runs `rq worker --with-scheduler` against the app's Redis (see `flask demo` and README).
Timers, voice calls and e-mail arrive with the orders, cancellations and payouts issues.
"""
