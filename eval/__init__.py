"""Evaluation suite: question set, judges, metrics, runner, report and quality gate.

Entry points: ``eval.runner.run_eval`` (wired to ``newsqa eval``) and ``eval.gate.check_gate``.
"""
