"""The benchmark: the engine against two baselines, side by side, in one run.

Layers: :mod:`bench.scenarios` (the calls), :mod:`bench.loadgen` (the load
generator process), :mod:`bench.responders` (the minimal FastAGI responder
and the classic AGI front end), :mod:`bench.servers` (starting and measuring
a server process), :mod:`bench.runner` (the sweep), :mod:`bench.flowgen`,
:mod:`bench.profiling` and :mod:`bench.report`; ``python -m bench`` runs it.
"""
